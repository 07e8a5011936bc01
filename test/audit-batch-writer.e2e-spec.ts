import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditAppender, type AuditEntry } from '../src/common/audit/audit-appender.js';
import { AuditBatchWriter, LINGER_MS } from '../src/common/audit/audit-batch-writer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The group-commit writer of audit rows that belong to no transaction, against the real database.
let t: TestApp;
let writer: AuditBatchWriter;
let appender: AuditAppender;
let sql: pg.Pool;

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  writer = t.app.get(AuditBatchWriter);
  appender = t.app.get(AuditAppender);
  sql = new pg.Pool({ connectionString: t.db.url, max: 4 });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
beforeEach(() => {
  vi.restoreAllMocks();
});

function entry(mark: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return { tenant_id: null, event_type: 'test.batch', entity_type: 'test', entity_id: mark, actor: 'test', payload: { mark, email: 'ann@example.com' }, ...over };
}
async function rowsOf(marks: string[]): Promise<{ entity_id: string; payload: { mark: string; email: string } }[]> {
  return (await sql.query(`SELECT entity_id, payload FROM audit_log WHERE entity_id = ANY($1) ORDER BY seq`, [marks])).rows;
}

describe('AuditBatchWriter', () => {
  it('writes the rows of callers of one tick in one INSERT, committed (and redacted) when each write resolves', async () => {
    const inserts = vi.spyOn(appender, 'append');
    const marks = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(
      marks.map(async (m) => {
        await writer.write([entry(m)]);
        // visible from another connection the moment the caller's write resolves
        expect((await rowsOf([m])).length).toBe(1);
      }),
    );
    expect(inserts).toHaveBeenCalledTimes(1);
    const rows = await rowsOf(marks);
    expect(rows.map((r) => r.entity_id).sort()).toEqual([...marks].sort());
    expect(rows.every((r) => r.payload.email !== 'ann@example.com' && r.payload.email.startsWith('[EMAIL'))).toBe(true);
  });

  it('groups the writes that arrive while an INSERT is under way into the next one', async () => {
    const inserts = vi.spyOn(appender, 'append');
    const first = randomUUID();
    const pending = writer.write([entry(first)]);
    // the first INSERT starts at the next tick; these arrive while it runs
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 10 }, () => randomUUID());
    await Promise.all([pending, ...later.map((m) => writer.write([entry(m)]))]);
    expect(inserts).toHaveBeenCalledTimes(2);
    expect((await rowsOf([first, ...later])).length).toBe(11);
  });

  it('lets fire-and-forget rows wait for company up to LINGER_MS, and flush() writes them at once', async () => {
    const lingering = randomUUID();
    writer.add(entry(lingering));
    expect((await rowsOf([lingering])).length).toBe(0);
    await new Promise((r) => setTimeout(r, LINGER_MS * 4));
    expect((await rowsOf([lingering])).length).toBe(1);

    const flushed = randomUUID();
    writer.add(entry(flushed));
    await writer.flush();
    expect((await rowsOf([flushed])).length).toBe(1);
  });

  it('a fire-and-forget row leaves with the next awaited write instead of lingering', async () => {
    const inserts = vi.spyOn(appender, 'append');
    const quiet = randomUUID();
    const loud = randomUUID();
    writer.add(entry(quiet));
    await writer.write([entry(loud)]);
    expect(inserts).toHaveBeenCalledTimes(1);
    expect((await rowsOf([quiet, loud])).length).toBe(2);
  });

  it('rejects the callers of a failed INSERT, writes nothing of it, and goes on writing', async () => {
    const good = randomUUID();
    const bad = randomUUID();
    await expect(writer.write([entry(bad, { tenant_id: 'not-a-uuid' }), entry(good)])).rejects.toThrow(/uuid/i);
    expect((await rowsOf([good, bad])).length).toBe(0);
    const after = randomUUID();
    await writer.write([entry(after)]);
    expect((await rowsOf([after])).length).toBe(1);
  });

  it("one caller's bad row costs only that caller: the others of the same INSERT are written", async () => {
    const inserts = vi.spyOn(appender, 'append');
    const good = Array.from({ length: 5 }, () => randomUUID());
    const bad = randomUUID();
    const loose = randomUUID();
    writer.add(entry(loose));
    const results = await Promise.allSettled([writer.write([entry(bad, { tenant_id: 'not-a-uuid' })]), ...good.map((m) => writer.write([entry(m)]))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', ...good.map(() => 'fulfilled')]);
    // one shared INSERT that failed, then each caller (and the fire-and-forget rows) alone
    expect(inserts).toHaveBeenCalledTimes(1 + 1 + 1 + good.length);
    expect((await rowsOf([...good, loose])).length).toBe(good.length + 1);
    expect((await rowsOf([bad])).length).toBe(0);
  });
});
