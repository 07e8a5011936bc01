import { Injectable, Module } from '@nestjs/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEventPublisher } from '../src/common/events/domain-event-publisher.js';
import { DomainEventRelay } from '../src/common/events/domain-event-relay.js';
import type { DomainEvent } from '../src/common/events/domain-events.js';
import { EventHandlingLedger } from '../src/common/events/event-handling-ledger.js';
import { OnDomainEvent } from '../src/common/events/on-domain-event.decorator.js';
import { UnitOfWork } from '../src/common/events/unit-of-work.js';
import { SYSTEM_CONTEXT } from '../src/common/http/request-context.js';
import { newClient, newTenant, slotAt } from './support/builders.js';
import { startChildApp } from './support/child-app.js';
import { rawRequest } from './support/raw-http.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

@Injectable()
class RecordingHandler {
  constructor(private readonly ledger: EventHandlingLedger) {}

  @OnDomainEvent('BookingCreated')
  async onBookingCreated(event: DomainEvent<'BookingCreated'>): Promise<void> {
    await this.ledger.once(event, 'RecordingHandler', async (m) => {
      await m.query(`INSERT INTO test_handled (event_id, appointment_id) VALUES ($1, $2)`, [event.id, event.payload.appointment.id]);
    });
  }
}

@Module({ providers: [RecordingHandler] })
class RecordingModule {}

let db: TestDatabase;
let sql: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  // no unique key on purpose: a second handling would show up as a second row
  await sql.query(`CREATE TABLE test_handled (event_id uuid NOT NULL, appointment_id uuid NOT NULL)`);
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

describe('durable domain events', () => {
  it('a process killed (SIGKILL) between the booking commit and its handlers leaves an event that a fresh process handles exactly once', async () => {
    const child = await startChildApp(db.url, { FAULT_INJECT: 'crash_after_booking_commit' });
    const tenant = await newTenant(child.url, TEST_ADMIN_KEY);
    const booking = rawRequest(`${child.url}/api/appointments`, 'POST', tenant.apiKey, { tenant_id: tenant.id, ...slotAt(3), ...newClient() });
    await expect(booking).rejects.toThrow(); // the connection dies with the process
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');

    const committed = await sql.query(`SELECT id FROM appointments WHERE tenant_id = $1`, [tenant.id]);
    expect(committed.rowCount).toBe(1);
    const pending = await sql.query(`SELECT id FROM domain_events WHERE type = 'BookingCreated' AND processed_at IS NULL`);
    expect(pending.rowCount).toBe(1);
    expect((await sql.query(`SELECT * FROM test_handled`)).rowCount).toBe(0);

    let fresh: TestApp | undefined;
    try {
      fresh = await startTestApp({ eventRelayIntervalMs: 100, eventRelayGraceMs: 0 }, db, [RecordingModule]);
      const deadline = Date.now() + 10_000;
      while ((await sql.query(`SELECT 1 FROM domain_events WHERE id = $1 AND processed_at IS NOT NULL`, [pending.rows[0].id])).rowCount === 0) {
        if (Date.now() > deadline) throw new Error('the relay did not deliver the event');
        await new Promise((r) => setTimeout(r, 100));
      }
      // deliver it again, twice, by hand: the ledger makes it a no-op
      const relay = fresh.app.get(DomainEventRelay);
      const publisher = fresh.app.get(DomainEventPublisher);
      const row = (await sql.query(`SELECT id, type, tenant_id, payload, correlation_id, created_at FROM domain_events WHERE id = $1`, [pending.rows[0].id])).rows[0];
      const event = { id: row.id, type: row.type, tenant_id: row.tenant_id, payload: row.payload, correlation_id: row.correlation_id, occurred_at: row.created_at.toISOString() };
      expect(await publisher.deliver(event)).toBe(true);
      expect(await publisher.deliver(event)).toBe(true);
      await sql.query(`UPDATE domain_events SET processed_at = NULL, next_attempt_at = NULL WHERE id = $1`, [row.id]);
      expect(await relay.relayOnce()).toBe(1);
      const handled = await sql.query(`SELECT appointment_id FROM test_handled`);
      expect(handled.rows).toEqual([{ appointment_id: committed.rows[0].id }]);
    } finally {
      await fresh?.close();
    }
  });

  it('a rolled-back change leaves no domain_events row and no audit row', async () => {
    const app = await startTestApp({}, db);
    try {
      const before = (await sql.query(`SELECT count(*)::int AS n FROM domain_events`)).rows[0].n;
      const auditBefore = (await sql.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n;
      const uow = app.app.get(UnitOfWork);
      await expect(
        uow.run({ context: SYSTEM_CONTEXT }, async (tx) => {
          await tx.record('HoldExpired', null, { hold_id: '00000000-0000-4000-8000-000000000001', tenant_id: '00000000-0000-4000-8000-000000000002', slot_start: 'x', slot_end: 'y' });
          throw new Error('forced rollback');
        }),
      ).rejects.toThrow('forced rollback');
      expect((await sql.query(`SELECT count(*)::int AS n FROM domain_events`)).rows[0].n).toBe(before);
      expect((await sql.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n).toBe(auditBefore);
    } finally {
      await app.close();
    }
  });
});
