import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../src/common/events/domain-events.js';
import { EventHandlingLedger } from '../src/common/events/event-handling-ledger.js';
import { UnitOfWork } from '../src/common/events/unit-of-work.js';
import { SYSTEM_CONTEXT } from '../src/common/http/request-context.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The ledger writes its completion mark and the handler's audit rows in one closing statement, and
// opens a transaction only when the work writes something else: both paths, under real concurrency.
let t: TestApp;
let ledger: EventHandlingLedger;
let sql: pg.Client;

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  ledger = t.app.get(EventHandlingLedger);
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
  // no unique key on purpose: a second run of the work would show up as a second row
  await sql.query(`CREATE TABLE test_work (event_id uuid NOT NULL)`);
  await sql.query(`GRANT ALL ON test_work TO agent_runtime_app`);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
beforeEach(async () => {
  await sql.query(`DELETE FROM test_work`);
});

/** A stored event (the ledger's marks reference domain_events). */
async function event(): Promise<DomainEvent> {
  const e: DomainEvent = { id: randomUUID(), type: 'HoldCreated', tenant_id: null, payload: {} as never, correlation_id: null, occurred_at: new Date().toISOString() };
  await sql.query(`INSERT INTO domain_events (id, tenant_id, type, payload) VALUES ($1, NULL, $2, '{}')`, [e.id, e.type]);
  return e;
}
const auditRow = (id: string) => ({ tenant_id: null, event_type: 'test.ledger', entity_type: 'event', entity_id: id, actor: 'test', payload: { client_email: 'ann@example.com' } });
async function counts(id: string): Promise<{ handled: number; audited: number; work: number }> {
  const r = await sql.query(
    `SELECT (SELECT count(*) FROM domain_event_handlings WHERE event_id = $1)::int AS handled,
            (SELECT count(*) FROM audit_log WHERE entity_id = $1::text)::int AS audited,
            (SELECT count(*) FROM test_work WHERE event_id = $1)::int AS work`,
    [id],
  );
  return r.rows[0];
}

describe('event handling ledger', () => {
  it('audit-only work (no transaction): five concurrent deliveries write one mark and one set of audit rows, redacted', async () => {
    const e = await event();
    const answers = await Promise.all(Array.from({ length: 5 }, () => ledger.once(e, 'test.auditOnly', async (_m, scope) => scope.audit([auditRow(e.id), auditRow(e.id)]))));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await counts(e.id)).toEqual({ handled: 1, audited: 2, work: 0 });
    const payloads = (await sql.query(`SELECT payload FROM audit_log WHERE entity_id = $1`, [e.id])).rows.map((r) => JSON.stringify(r.payload));
    for (const p of payloads) expect(p).not.toContain('ann@example.com');
  });

  it('work that writes (a transaction): five concurrent deliveries run it to commit once; the others roll back', async () => {
    const e = await event();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        ledger.once(e, 'test.writes', async (m, scope) => {
          await m.query(`INSERT INTO test_work (event_id) VALUES ($1)`, [e.id]);
          scope.audit([auditRow(e.id)]);
        }),
      ),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await counts(e.id)).toEqual({ handled: 1, audited: 1, work: 1 });
  });

  it('work that fails leaves nothing (no mark, no audit, no write); the next delivery does it', async () => {
    const e = await event();
    await expect(
      ledger.once(e, 'test.fails', async (m, scope) => {
        await m.query(`INSERT INTO test_work (event_id) VALUES ($1)`, [e.id]);
        scope.audit([auditRow(e.id)]);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await counts(e.id)).toEqual({ handled: 0, audited: 0, work: 0 });
    expect(await ledger.once(e, 'test.fails', async (m) => void (await m.query(`INSERT INTO test_work (event_id) VALUES ($1)`, [e.id])))).toBe(true);
    expect(await counts(e.id)).toEqual({ handled: 1, audited: 0, work: 1 });
  });

  it('the same event is handled once per handler, not once in all', async () => {
    const e = await event();
    expect(await ledger.once(e, 'test.a', async () => undefined)).toBe(true);
    expect(await ledger.once(e, 'test.b', async () => undefined)).toBe(true);
    expect(await ledger.once(e, 'test.a', async () => undefined)).toBe(false);
  });
});

describe('unit of work', () => {
  it('runs at the isolation level asked for (opened in one statement)', async () => {
    const uow = t.app.get(UnitOfWork);
    for (const isolation of ['SERIALIZABLE', 'REPEATABLE READ', 'READ COMMITTED'] as const) {
      const level = await uow.run({ isolation, context: SYSTEM_CONTEXT }, async (tx) => ((await tx.manager.query(`SELECT current_setting('transaction_isolation') AS l`)) as { l: string }[])[0]!.l);
      expect(level).toBe(isolation.toLowerCase());
    }
  });
});
