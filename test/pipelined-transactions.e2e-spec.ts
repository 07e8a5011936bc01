import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { transaction } from '../src/common/database/query-runner-transactions.js';
import { DomainEventPublisher } from '../src/common/events/domain-event-publisher.js';
import { EventHandlingLedger } from '../src/common/events/event-handling-ledger.js';
import type { DomainEvent } from '../src/common/events/domain-events.js';
import { preparedEventsSql, preparedParams, UnitOfWork } from '../src/common/events/unit-of-work.js';
import { SYSTEM_CONTEXT } from '../src/common/http/request-context.js';
import { settleAuditTrail } from './support/audit-settle.js';
import { newClient, newTenant, slotAt } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// A transaction's opening goes out with its first statement and its COMMIT right behind its last one
// (pg pipeline mode); these prove the order on the wire and that a failure is never taken for a commit.
let t: TestApp;
let db: DataSource;
let uow: UnitOfWork;
let sql: pg.Client;
const wire: string[] = [];
let recording = false;

function label(text: unknown): string {
  const s = String(text ?? '').replace(/\s+/g, ' ').trim();
  if (s.startsWith('START TRANSACTION')) return 'START';
  if (s === 'COMMIT' || s === 'ROLLBACK') return s;
  if (s.includes('pipeline_probe')) return 'WORK';
  if (s.includes('INSERT INTO appointments')) return 'BOOK';
  if (s.includes('INSERT INTO domain_event_handlings')) return 'MARK';
  if (s.includes('INSERT INTO audit_log')) return 'AUDIT';
  return s.slice(0, 20);
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  db = t.app.get<DataSource>(getDataSourceToken());
  uow = t.app.get(UnitOfWork);
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
  await sql.query(`CREATE TABLE pipeline_probe (id uuid PRIMARY KEY)`);
  await sql.query(`GRANT ALL ON pipeline_probe TO agent_runtime_app`);
  // when each statement is written to the connection, and when its answer (or error) arrives
  const proto = pg.Query.prototype as unknown as Record<string, (...a: unknown[]) => unknown> & { text?: string };
  const submit = proto.submit!;
  const answered = proto.handleReadyForQuery!;
  const failed = proto.handleError!;
  proto.submit = function (this: { text?: string }, ...a: unknown[]) {
    if (recording) wire.push(`sent ${label(this.text)}`);
    return submit.apply(this, a);
  };
  proto.handleReadyForQuery = function (this: { text?: string }, ...a: unknown[]) {
    if (recording) wire.push(`answered ${label(this.text)}`);
    return answered.apply(this, a);
  };
  proto.handleError = function (this: { text?: string }, ...a: unknown[]) {
    if (recording) wire.push(`failed ${label(this.text)}`);
    return failed.apply(this, a);
  };
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
beforeEach(() => {
  wire.length = 0;
  vi.restoreAllMocks();
});

async function recorded<T>(fn: () => Promise<T>): Promise<T> {
  recording = true;
  try {
    return await fn();
  } finally {
    recording = false;
    // let the answers of the last statements land in the log
    await new Promise((r) => setTimeout(r, 20));
  }
}
const before = (a: string, b: string) => {
  expect(wire.indexOf(a), `${a} in ${JSON.stringify(wire)}`).toBeGreaterThanOrEqual(0);
  expect(wire.indexOf(b), `${b} in ${JSON.stringify(wire)}`).toBeGreaterThanOrEqual(0);
  expect(wire.indexOf(a), `${a} before ${b} in ${JSON.stringify(wire)}`).toBeLessThan(wire.indexOf(b));
};

describe('UnitOfWork on the wire', () => {
  it('sends START with the first statement and COMMIT right behind the events/audit statement, and commits', async () => {
    const id = randomUUID();
    await recorded(() =>
      uow.run({ isolation: 'SERIALIZABLE', context: SYSTEM_CONTEXT }, async (tx) => {
        await tx.manager.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [id]);
        tx.audit({ tenant_id: null, event_type: 'test.pipeline', entity_type: 'probe', entity_id: id, payload: {} });
      }),
    );
    expect(wire.filter((w) => w.startsWith('sent'))).toEqual(['sent START', 'sent WORK', 'sent AUDIT', 'sent COMMIT']);
    // no waiting in between: each statement left before the one ahead of it was answered
    before('sent WORK', 'answered START');
    before('sent COMMIT', 'answered AUDIT');
    expect((await sql.query(`SELECT 1 FROM pipeline_probe WHERE id = $1`, [id])).rowCount).toBe(1);
    expect((await sql.query(`SELECT 1 FROM audit_log WHERE entity_id = $1`, [id])).rowCount).toBe(1);
  });

  it('a failing last statement is reported, rolls everything back, and publishes no event', async () => {
    const publish = vi.spyOn(t.app.get(DomainEventPublisher), 'publish');
    const id = randomUUID();
    await expect(
      recorded(() =>
        uow.run({ context: SYSTEM_CONTEXT }, async (tx) => {
          await tx.manager.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [id]);
          await tx.record('HoldExpired', null, { hold_id: id, tenant_id: null } as never);
          // an audit row PostgreSQL refuses: the closing statement fails after the COMMIT was sent
          tx.audit({ tenant_id: 'not-a-uuid', event_type: 'test.pipeline', entity_type: 'probe', entity_id: id, payload: {} });
        }),
      ),
    ).rejects.toThrow(/uuid/);
    before('sent COMMIT', 'failed AUDIT');
    expect(publish).not.toHaveBeenCalled();
    expect((await sql.query(`SELECT 1 FROM pipeline_probe WHERE id = $1`, [id])).rowCount).toBe(0);
    expect((await sql.query(`SELECT 1 FROM domain_events WHERE payload->>'hold_id' = $1`, [id])).rowCount).toBe(0);
    // the connection went back to the pool clean: the next transaction commits
    const next = randomUUID();
    await uow.run({ context: SYSTEM_CONTEXT }, async (tx) => void (await tx.manager.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [next])));
    expect((await sql.query(`SELECT 1 FROM pipeline_probe WHERE id = $1`, [next])).rowCount).toBe(1);
  });

  it('a failure before the last statement is sent commits nothing and sends no COMMIT', async () => {
    const id = randomUUID();
    await expect(
      recorded(() =>
        transaction(db, 'READ COMMITTED', async (m) => {
          await m.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [id]);
          return { value: 1, last: () => Promise.reject(new Error('failed in JavaScript')) };
        }),
      ),
    ).rejects.toThrow('failed in JavaScript');
    expect(wire).not.toContain('sent COMMIT');
    expect(wire).toContain('sent ROLLBACK');
    expect((await sql.query(`SELECT 1 FROM pipeline_probe WHERE id = $1`, [id])).rowCount).toBe(0);
  });

  it('a transaction with no statement of its own still opens and commits (START and COMMIT together)', async () => {
    await recorded(() => transaction(db, 'READ COMMITTED', async () => ({ value: 1 })));
    expect(wire.filter((w) => w.startsWith('sent'))).toEqual(['sent START', 'sent COMMIT']);
    before('sent COMMIT', 'answered START');
  });
});

describe('a transaction in one round trip (Tx.commitWith)', () => {
  const probe = (when: string) =>
    `WITH ins AS (INSERT INTO pipeline_probe (id) SELECT $1 WHERE ${when} RETURNING id), ${preparedEventsSql(2, 'EXISTS (SELECT 1 FROM ins)')} SELECT id FROM ins`;

  it('sends START, its one statement and COMMIT before any answer; run answers the statement\'s result; the events it wrote are published', async () => {
    const publish = vi.spyOn(t.app.get(DomainEventPublisher), 'publish');
    const id = randomUUID();
    const result = await recorded(() =>
      uow.run({ isolation: 'SERIALIZABLE', context: { correlationId: 'corr-one-trip', actor: 'test' } }, async (tx) => {
        const prepared = tx.prepare('HoldExpired', null, { hold_id: id, tenant_id: null } as never);
        return tx.commitWith(async () => {
          const rows: { id: string }[] = await tx.manager.query(probe('true'), [id, ...preparedParams(prepared)]);
          if (rows.length > 0) tx.written(prepared);
          return rows[0]?.id ?? null;
        });
      }),
    );
    expect(result).toBe(id);
    expect(wire.filter((w) => w.startsWith('sent'))).toEqual(['sent START', 'sent WORK', 'sent COMMIT']);
    before('sent COMMIT', 'answered START');
    const event = (await sql.query(`SELECT id, correlation_id FROM domain_events WHERE payload->>'hold_id' = $1`, [id])).rows;
    expect(event).toEqual([{ id: expect.any(String), correlation_id: 'corr-one-trip' }]);
    const audit = (await sql.query(`SELECT event_type, actor, correlation_id, payload->>'event_id' AS event_id FROM audit_log WHERE entity_id = $1`, [id])).rows;
    expect(audit).toEqual([{ event_type: 'event.HoldExpired', actor: 'test', correlation_id: 'corr-one-trip', event_id: event[0].id }]);
    expect(publish).toHaveBeenCalledWith([expect.objectContaining({ id: event[0].id, type: 'HoldExpired' })]);
  });

  it('when its statement writes nothing, no event row, no audit row, nothing published', async () => {
    const publish = vi.spyOn(t.app.get(DomainEventPublisher), 'publish');
    const id = randomUUID();
    const result = await uow.run({ context: SYSTEM_CONTEXT }, async (tx) => {
      const prepared = tx.prepare('HoldExpired', null, { hold_id: id, tenant_id: null } as never);
      return tx.commitWith(async () => {
        const rows: { id: string }[] = await tx.manager.query(probe('false'), [id, ...preparedParams(prepared)]);
        if (rows.length > 0) tx.written(prepared);
        return rows[0]?.id ?? null;
      });
    });
    expect(result).toBeNull();
    expect(publish).not.toHaveBeenCalled();
    expect((await sql.query(`SELECT 1 FROM domain_events WHERE payload->>'hold_id' = $1`, [id])).rowCount).toBe(0);
    expect((await sql.query(`SELECT 1 FROM audit_log WHERE entity_id = $1`, [id])).rowCount).toBe(0);
  });

  it('refuses events recorded for flush beside it (they could not go in the same statement), and commits nothing', async () => {
    const id = randomUUID();
    await expect(
      uow.run({ context: SYSTEM_CONTEXT }, async (tx) => {
        await tx.record('HoldExpired', null, { hold_id: id, tenant_id: null } as never);
        return tx.commitWith(() => tx.manager.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [id]));
      }),
    ).rejects.toThrow(/writes its events in it/);
    expect((await sql.query(`SELECT 1 FROM pipeline_probe WHERE id = $1`, [id])).rowCount).toBe(0);
    expect((await sql.query(`SELECT 1 FROM domain_events WHERE payload->>'hold_id' = $1`, [id])).rowCount).toBe(0);
  });

  it('a direct booking: START, the booking statement (its event inside) and COMMIT in one go; the event shows the row as stored', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const r = await recorded(() => client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(7), ...newClient(), service: 'Check-up' }));
    expect(r.status).toBe(201);
    // after the key, tenant and resource reads (cached after the first request): the transaction
    const sent = wire.filter((w) => w.startsWith('sent'));
    const opened = sent.indexOf('sent START');
    expect(sent.slice(opened, opened + 3)).toEqual(['sent START', 'sent BOOK', 'sent COMMIT']);
    before('sent COMMIT', 'answered START');
    const row = (await sql.query(`SELECT payload FROM domain_events WHERE type = 'BookingCreated' AND payload->'appointment'->>'id' = $1`, [r.body.id])).rows;
    expect(row).toHaveLength(1);
    const stored = (await sql.query(`SELECT id, tenant_id, resource_id, start_time, end_time, status, version, service, calendar_sync_status FROM appointments WHERE id = $1`, [r.body.id])).rows[0];
    expect(row[0].payload).toEqual({
      tenant_id: tenant.id,
      appointment: {
        id: stored.id, tenant_id: stored.tenant_id, resource_id: stored.resource_id, start: stored.start_time.toISOString(), end: stored.end_time.toISOString(),
        status: stored.status, version: stored.version, service: stored.service, calendar_sync_status: stored.calendar_sync_status,
      },
    });
    // the request's own audit row is buffered: let it land here, not on the wire of the next test
    await settleAuditTrail(sql, tenant.id, { 'api.request': 1 });
  });
});

describe('the connection after a pipelined transaction', () => {
  it("is left as it was: the pool client's own query method, not a copy pinned on the instance", async () => {
    const pool = (db.driver as unknown as { master: pg.Pool }).master;
    await transaction(db, 'READ COMMITTED', async (m) => ({ value: await m.query('SELECT 1'), last: () => m.query('SELECT 2') }));
    await uow.run({ context: SYSTEM_CONTEXT }, async (tx) => tx.manager.query('SELECT 3'));
    // whichever pooled connections they ran on: every one of them
    const after = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    try {
      for (const c of after) expect(Object.prototype.hasOwnProperty.call(c, 'query')).toBe(false);
    } finally {
      for (const c of after) c.release();
    }
  });
});

describe('EventHandlingLedger on the wire', () => {
  async function eventRow(): Promise<DomainEvent> {
    const id = randomUUID();
    await sql.query(`INSERT INTO domain_events (id, tenant_id, type, payload) VALUES ($1, NULL, 'HoldExpired', '{}')`, [id]);
    return { id, type: 'HoldExpired', tenant_id: null, payload: {} as never, correlation_id: null, occurred_at: new Date().toISOString() };
  }

  it('work that writes runs in a transaction whose COMMIT follows the closing mark unanswered; a second delivery rolls its work back', async () => {
    const ledger = t.app.get(EventHandlingLedger);
    const event = await eventRow();
    const first = randomUUID();
    const ran = await recorded(() => ledger.once(event, 'test.pipeline', async (m, scope) => {
      await m.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [first]);
      scope.audit([{ tenant_id: null, event_type: 'test.pipeline', entity_type: 'probe', entity_id: first, actor: 'test', payload: {} }]);
    }));
    expect(ran).toBe(true);
    expect(wire.filter((w) => w.startsWith('sent'))).toEqual(['sent START', 'sent WORK', 'sent MARK', 'sent COMMIT']);
    before('sent WORK', 'answered START');
    before('sent COMMIT', 'answered MARK');

    // the same event again: its work is rolled back by the mark's unique violation
    const second = randomUUID();
    const again = await ledger.once(event, 'test.pipeline', async (m, scope) => {
      await m.query(`INSERT INTO pipeline_probe (id) VALUES ($1)`, [second]);
      scope.audit([{ tenant_id: null, event_type: 'test.pipeline', entity_type: 'probe', entity_id: second, actor: 'test', payload: {} }]);
    });
    expect(again).toBe(false);
    expect((await sql.query(`SELECT id FROM pipeline_probe WHERE id = ANY($1)`, [[first, second]])).rows.map((r) => r.id)).toEqual([first]);
    expect((await sql.query(`SELECT 1 FROM audit_log WHERE entity_id = $1`, [second])).rowCount).toBe(0);
  });
});
