import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import { EventEmitter2 } from '@nestjs/event-emitter';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobAudit } from '../src/modules/jobs/job-audit.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { JobRepository } from '../src/modules/jobs/job.repository.js';
import { JobsModule } from '../src/modules/jobs/jobs.module.js';
import { JOB_UPDATED, type Job, type JobUpdatedEvent } from '../src/modules/jobs/job.types.js';
import { JobsErrorCode, JobsException } from '../src/modules/jobs/jobs.exception.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The queue's transitions, driven by hand: an API-role app runs no runner, so nothing claims behind the test's back.
let t: TestApp;
let queue: JobQueue;
let db: DataSource;
let sql: pg.Client;
const events: JobUpdatedEvent[] = [];

beforeAll(async () => {
  t = await startTestApp({ role: 'api', autonomyEnabled: true, agentJobBackoffBaseMs: 1000 }, undefined, [JobsModule]);
  queue = t.app.get(JobQueue);
  db = t.app.get<DataSource>(getDataSourceToken());
  t.app.get(EventEmitter2).on(JOB_UPDATED, (e: JobUpdatedEvent) => events.push(e));
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
beforeEach(async () => {
  await sql.query(`DELETE FROM jobs`);
  events.length = 0;
});

const LEASE = 30_000;
async function auditOf(id: string): Promise<{ event_type: string; actor: string; payload: Record<string, unknown> }[]> {
  return (await sql.query(`SELECT event_type, actor, payload FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [id])).rows;
}
async function row(id: string): Promise<Job> {
  return (await sql.query(`SELECT * FROM jobs WHERE id = $1`, [id])).rows[0];
}

describe('enqueue', () => {
  it('stores the job, audits it and emits job.updated', async () => {
    const appointmentId = randomUUID();
    const r = await queue.enqueue('send_reminder', null, { appointment_id: appointmentId }, { priority: 5, maxAttempts: 4, appointmentId, appointmentVersion: 2 });
    expect(r.created).toBe(true);
    const job = await row(r.job!.id);
    expect(job).toMatchObject({ type: 'send_reminder', status: 'pending', priority: 5, max_attempts: 4, attempts: 0, appointment_id: appointmentId, appointment_version: 2, shadow: false });
    expect(job.payload).toEqual({ appointment_id: appointmentId });
    const audit = await auditOf(job.id);
    expect(audit.map((a) => a.event_type)).toEqual(['job.enqueued']);
    // run_at defaulted to the database's now(): the audit row tells the stored value (to the millisecond)
    expect(audit[0]!.payload).toEqual({
      type: 'send_reminder', status: 'pending', attempts: 0, priority: 5, max_attempts: 4, appointment_id: appointmentId, dedupe_key: null, shadow: false,
      run_at: job.run_at.toISOString(), payload: { appointment_id: appointmentId },
    });
    expect(events).toEqual([expect.objectContaining({ id: job.id, status: 'pending', type: 'send_reminder', attempts: 0 })]);
  });

  it('dedupes on the key while the first job is pending or running, and not after it finished', async () => {
    const first = await queue.enqueue('send_confirmation', null, { n: 1 }, { dedupeKey: 'confirm:apt-1' });
    const second = await queue.enqueue('send_confirmation', null, { n: 2 }, { dedupeKey: 'confirm:apt-1' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, job: expect.objectContaining({ id: first.job!.id }) });
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE dedupe_key = 'confirm:apt-1'`)).rows[0].n).toBe(1);
    // concurrent enqueues of one key: one job
    const racing = await Promise.all(Array.from({ length: 10 }, () => queue.enqueue('send_confirmation', null, {}, { dedupeKey: 'confirm:apt-2' })));
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(racing.map((r) => r.job?.id)).size).toBe(1);
    // claimed still counts as active
    const [claimed] = await queue.claim('w-dedupe', 1, LEASE);
    expect((await queue.enqueue('send_confirmation', null, {}, { dedupeKey: claimed!.dedupe_key! })).created).toBe(false);
    await queue.complete('w-dedupe', [{ id: claimed!.id, attempt: claimed!.attempts, outcome: 'completed' }]);
    expect((await queue.enqueue('send_confirmation', null, {}, { dedupeKey: claimed!.dedupe_key! })).created).toBe(true);
  });

  it('enqueueMany inserts a batch in order, deduping inside the batch too', async () => {
    const results = await queue.enqueueMany([
      { type: 'a', tenantId: null, payload: { i: 0 } },
      { type: 'a', tenantId: null, payload: { i: 1 }, dedupeKey: 'k' },
      { type: 'a', tenantId: null, payload: { i: 2 }, dedupeKey: 'k' },
      { type: 'a', tenantId: null, payload: { i: 3 } },
    ]);
    expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(results[2]!.job?.id).toBe(results[1]!.job!.id);
    expect(results.map((r) => r.job?.payload)).toEqual([{ i: 0 }, { i: 1 }, { i: 1 }, { i: 3 }]);
  });

  it('rejects payloads that carry personal data, naming the field, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ to: 'ada@example.com' }, 'payload.to'],
      [{ note_ref: 'call +44 20 7946 0958' }, 'payload.note_ref'],
      [{ client_email: null, nested: { list: ['ok', 'ada@example.com'] } }, 'payload.nested.list[1]'],
      [{ client_name: 'Ada Lovelace' }, 'payload.client_name'],
      [{ phone: '12345' }, 'payload.phone'],
    ];
    for (const [payload, field] of cases) {
      const err = await queue.enqueue('x', null, payload as object).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobsException);
      expect((err as JobsException).code).toBe(JobsErrorCode.PII_IN_PAYLOAD);
      expect((err as JobsException).field).toBe(field);
      expect((err as JobsException).message).toMatch(/personal data|does not belong/);
    }
    const err = await queue.enqueueMany([{ type: 'x', tenantId: null, payload: {} }, { type: 'x', tenantId: null, payload: { to: 'a@b.example' } }]).catch((e: unknown) => e);
    expect((err as JobsException).field).toBe('jobs[1].payload.to');
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n).toBe(0);
    // ids, times and plain words are fine
    const ok = await queue.enqueue('x', randomUUID(), { appointment_id: randomUUID(), at: new Date().toISOString(), channel: 'email', n: 12345678 });
    expect(ok.created).toBe(true);
  });

  it('rejects invalid options with INVALID_JOB', async () => {
    for (const [opts, field] of [
      [{ maxAttempts: 0 }, 'maxAttempts'],
      [{ priority: 1.5 }, 'priority'],
      [{ runAt: new Date('nope') }, 'runAt'],
      [{ appointmentId: 'not-a-uuid' }, 'appointmentId'],
    ] as const) {
      const err = await queue.enqueue('x', null, {}, opts as object).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: JobsErrorCode.INVALID_JOB, field });
    }
    await expect(queue.enqueue('bad type!', null, {})).rejects.toMatchObject({ code: JobsErrorCode.INVALID_JOB, field: 'type' });
    await expect(queue.enqueue('x', 'tenant-1', {})).rejects.toMatchObject({ field: 'tenantId' });
  });

  it("inside the caller's transaction: the job exists iff the transaction commits, and is announced only after the commit", async () => {
    await expect(
      db.transaction(async (m) => {
        await queue.enqueue('in_tx', null, { n: 1 }, {}, m);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE type = 'in_tx'`)).rows[0].n).toBe(0);
    expect((await sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE event_type = 'job.enqueued' AND payload->>'type' = 'in_tx'`)).rows[0].n).toBe(0);
    expect(events).toHaveLength(0);

    let seenInside = -1;
    await db.transaction(async (m) => {
      await queue.enqueue('in_tx', null, { n: 2 }, {}, m);
      seenInside = events.length;
    });
    expect(seenInside).toBe(0);
    expect(events).toHaveLength(1);
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE type = 'in_tx'`)).rows[0].n).toBe(1);
  });
});

describe('claim', () => {
  it('claims due jobs only, highest priority first, then oldest run_at, never more than asked', async () => {
    const past = (s: number) => new Date(Date.now() - s * 1000);
    await queue.enqueueMany([
      { type: 'p', tenantId: null, payload: { name_ref: 'low-old' }, priority: 0, runAt: past(30) },
      { type: 'p', tenantId: null, payload: { name_ref: 'high-new' }, priority: 10, runAt: past(1) },
      { type: 'p', tenantId: null, payload: { name_ref: 'high-old' }, priority: 10, runAt: past(20) },
      { type: 'p', tenantId: null, payload: { name_ref: 'mid' }, priority: 5, runAt: past(10) },
      { type: 'p', tenantId: null, payload: { name_ref: 'future-top' }, priority: 100, runAt: new Date(Date.now() + 60_000) },
    ]);
    const first = await queue.claim('w-prio', 2, LEASE);
    expect(first.map((j) => j.payload.name_ref)).toEqual(['high-old', 'high-new']);
    const rest = await queue.claim('w-prio', 10, LEASE);
    expect(rest.map((j) => j.payload.name_ref)).toEqual(['mid', 'low-old']);
    expect(await queue.claim('w-prio', 10, LEASE)).toEqual([]);
    const claimed = [...first, ...rest];
    for (const j of claimed) {
      expect(j).toMatchObject({ status: 'claimed', worker_id: 'w-prio', attempts: 1 });
      expect(j.lock_expires_at!.getTime() - j.claimed_at!.getTime()).toBe(LEASE);
    }
    const audit = await auditOf(first[0]!.id);
    expect(audit.map((a) => [a.event_type, a.actor])).toEqual([['job.enqueued', 'system'], ['job.claimed', 'worker:w-prio']]);
  });

  it('the claim and completion statements write the same audit rows as the transactional path (jobAudit)', async () => {
    const { job } = await queue.enqueue('parity', null, { n: 1 });
    const [claimed] = await queue.claim('w-parity', 1, LEASE);
    const { settled } = await queue.complete('w-parity', [{ id: job!.id, attempt: 1, outcome: 'skipped', reason: 'too_late' }]);
    const audit = await auditOf(job!.id);
    expect(audit.map((a) => a.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.skipped']);
    // the rows the JavaScript path would have written for the same transitions, through JSON as stored
    const expected = [jobAudit(claimed!, 'claimed', 'worker:w-parity'), jobAudit(settled[0]!, 'skipped', 'worker:w-parity')];
    expect(audit.slice(1).map((a) => ({ actor: a.actor, payload: a.payload }))).toEqual(expected.map((e) => ({ actor: e.actor, payload: JSON.parse(JSON.stringify(e.payload)) })));
  });

  it('concurrent claimers never get the same job (200 jobs, 8 claimers)', async () => {
    await queue.enqueueMany(Array.from({ length: 200 }, (_, i) => ({ type: 'c', tenantId: null, payload: { i } })));
    const got: string[][] = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const mine: string[] = [];
        for (;;) {
          const jobs = await queue.claim(`w-${w}`, 7, LEASE);
          if (jobs.length === 0) {
            if ((await db.query(`SELECT 1 FROM jobs WHERE status = 'pending' LIMIT 1`)).length === 0) return mine;
            continue;
          }
          mine.push(...jobs.map((j) => j.id));
        }
      }),
    );
    const all = got.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
  });

  it('claims and completions commit without waiting for the WAL flush (AGENT_JOB_SYNC_COMMIT=false), never a caller\'s transaction', async () => {
    const pool = (db.driver as unknown as { master: pg.Pool }).master;
    const sent = vi.spyOn(pool, 'query');
    let calls: unknown[][];
    try {
      const { job } = await queue.enqueue('async-commit', null, { n: 1 });
      await queue.claim('w-async', 1, LEASE);
      await queue.complete('w-async', [{ id: job!.id, attempt: 1, outcome: 'completed' }]);
    } finally {
      calls = [...sent.mock.calls];
      sent.mockRestore();
    }
    const statements = calls.map((c) => (typeof c[0] === 'string' ? { text: c[0], values: c[1] as unknown[] } : (c[0] as { text?: string; values?: unknown[] }))).filter((q) => q.text?.includes('async_commit'));
    expect(statements.map((q) => (q.text!.includes('UPDATE jobs j\n            SET status = \'claimed\'') ? 'claim' : 'complete'))).toEqual(['claim', 'complete']);

    // What the claim statement does to the transaction it runs in: run its own text in an explicit one and look.
    await queue.enqueue('async-commit', null, { n: 2 });
    await sql.query('BEGIN');
    const claimedHere = await sql.query(statements[0]!.text!, statements[0]!.values);
    expect(claimedHere.rows).toHaveLength(1);
    expect((await sql.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
    await sql.query('ROLLBACK');
    expect((await sql.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');

    // Inside a caller's transaction the option is ignored: the caller's commit stays synchronous.
    const repo = new JobRepository();
    await db.transaction(async (m) => {
      expect(await repo.claim(m, 'w-in-tx', 1, LEASE, undefined, { asyncCommit: true })).toHaveLength(1);
      expect((await m.query('SHOW synchronous_commit'))[0].synchronous_commit).toBe('on');
    });
  });

  it('run_at in the future is not claimed before it is due', async () => {
    const { job } = await queue.enqueue('later', null, {}, { runAt: new Date(Date.now() + 700) });
    expect(await queue.claim('w-later', 5, LEASE)).toEqual([]);
    await new Promise((r) => setTimeout(r, 750));
    expect((await queue.claim('w-later', 5, LEASE)).map((j) => j.id)).toEqual([job!.id]);
  });
});

describe('settle', () => {
  it('complete and skip record the outcome; a result from a worker that lost the claim is not recorded (fencing)', async () => {
    await queue.enqueueMany([{ type: 's', tenantId: null, payload: { i: 1 } }, { type: 's', tenantId: null, payload: { i: 2 } }, { type: 's', tenantId: null, payload: { i: 3 } }]);
    const [a, b, c] = await queue.claim('w-1', 3, LEASE);
    const r = await queue.complete('w-1', [
      { id: a!.id, attempt: 1, outcome: 'completed' },
      { id: b!.id, attempt: 1, outcome: 'skipped', reason: 'appointment was cancelled; mailed ada@example.com' },
    ]);
    expect(r.settled).toHaveLength(2);
    expect(await row(a!.id)).toMatchObject({ status: 'completed', outcome: 'completed', outcome_reason: null });
    const skipped = await row(b!.id);
    expect(skipped).toMatchObject({ status: 'completed', outcome: 'skipped' });
    expect(skipped.outcome_reason).toMatch(/^appointment was cancelled; mailed \[EMAIL:[0-9a-f]+\]$/);
    expect(skipped.completed_at).toBeInstanceOf(Date);
    expect((await auditOf(b!.id)).map((x) => x.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.skipped']);
    // another worker, a stale attempt number, an already finished job: all refused
    const stale = await queue.complete('w-2', [{ id: c!.id, attempt: 1, outcome: 'completed' }]);
    const wrongAttempt = await queue.complete('w-1', [{ id: c!.id, attempt: 2, outcome: 'completed' }]);
    const again = await queue.complete('w-1', [{ id: a!.id, attempt: 1, outcome: 'skipped' }]);
    expect([stale.settled, wrongAttempt.settled, again.settled]).toEqual([[], [], []]);
    expect(stale.rejected).toEqual([{ id: c!.id, attempt: 1 }]);
    expect(await row(c!.id)).toMatchObject({ status: 'claimed', worker_id: 'w-1' });
    expect(await row(a!.id)).toMatchObject({ outcome: 'completed' });
  });

  it("a run's audit rows are recorded with its result, before the job's own row, redacted; a result that cannot be recorded still has them written", async () => {
    const specs = [1, 2, 3, 4].map((i) => ({ type: 'run-audit', tenantId: null, payload: { i } }));
    await queue.enqueueMany(specs);
    const [a, b, c, d] = await queue.claim('w-ra', 4, LEASE);
    const runRow = (jobId: string, what: string) => ({ tenant_id: null, event_type: `tool.${what}`, entity_type: 'job', entity_id: jobId, actor: 'agent', payload: { note: `${what} for ada@example.com` } });
    // completions alone (one statement), then completions beside a failure (one transaction)
    await queue.complete('w-ra', [{ id: a!.id, attempt: 1, outcome: 'completed', audit: [runRow(a!.id, 'checked'), runRow(a!.id, 'completed')] }]);
    await queue.settle('w-ra', {
      completions: [{ id: b!.id, attempt: 1, outcome: 'skipped', reason: 'nothing to do', audit: [runRow(b!.id, 'skipped')] }],
      failures: [{ id: c!.id, attempt: 1, error: 'boom' }],
    });
    expect((await auditOf(a!.id)).map((x) => x.event_type)).toEqual(['job.enqueued', 'job.claimed', 'tool.checked', 'tool.completed', 'job.completed']);
    expect((await auditOf(b!.id)).map((x) => x.event_type)).toEqual(['job.enqueued', 'job.claimed', 'tool.skipped', 'job.skipped']);
    const recorded = (await auditOf(a!.id)).find((x) => x.event_type === 'tool.completed')!.payload;
    expect(JSON.stringify(recorded)).not.toContain('ada@example.com');
    expect(recorded.note).toMatch(/^\[(PII|EMAIL):[0-9a-f]+\]/);
    // the lease of d is lost (reclaimed by someone else): its result is refused, what its run did is still audited
    await sql.query(`UPDATE jobs SET worker_id = 'w-other' WHERE id = $1`, [d!.id]);
    const lost = await queue.complete('w-ra', [{ id: d!.id, attempt: 1, outcome: 'completed', audit: [runRow(d!.id, 'completed')] }]);
    expect(lost.rejected).toEqual([{ id: d!.id, attempt: 1 }]);
    expect((await auditOf(d!.id)).map((x) => x.event_type)).toEqual(['job.enqueued', 'job.claimed', 'tool.completed']);
  });

  it('fail backs off exponentially and fails for good after max_attempts, keeping the last error', async () => {
    const { job } = await queue.enqueue('flaky', null, {}, { maxAttempts: 3 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await sql.query(`UPDATE jobs SET run_at = now() WHERE id = $1`, [job!.id]); // do not wait out the backoff
      const [c] = await queue.claim('w-f', 1, LEASE);
      expect(c).toMatchObject({ id: job!.id, attempts: attempt });
      const { settled } = await queue.fail('w-f', [{ id: c!.id, attempt, error: `boom ${attempt} for ada@example.com` }]);
      const after = settled[0]!;
      if (attempt < 3) {
        expect(after.status).toBe('pending');
        delays.push(after.run_at.getTime() - after.updated_at.getTime());
      } else {
        expect(after.status).toBe('failed');
      }
    }
    // base 1000 ms ±20%, doubling
    expect(delays[0]).toBeGreaterThanOrEqual(800);
    expect(delays[0]).toBeLessThanOrEqual(1200);
    expect(delays[1]).toBeGreaterThanOrEqual(1600);
    expect(delays[1]).toBeLessThanOrEqual(2400);
    const final = await row(job!.id);
    expect(final).toMatchObject({ status: 'failed', attempts: 3 });
    expect(final.last_error).toMatch(/^boom 3 for \[EMAIL:[0-9a-f]+\]$/);
    expect(final.completed_at).toBeInstanceOf(Date);
    expect((await auditOf(job!.id)).map((a) => a.event_type)).toEqual([
      'job.enqueued', 'job.claimed', 'job.retry_scheduled', 'job.claimed', 'job.retry_scheduled', 'job.claimed', 'job.failed',
    ]);
    expect(await queue.claim('w-f', 1, LEASE)).toEqual([]);
  });

  it('a permanent failure fails at once; release returns a claim unrun, the attempt not counted', async () => {
    await queue.enqueueMany([{ type: 'perm', tenantId: null, payload: {} }, { type: 'rel', tenantId: null, payload: {} }]);
    const claimed = await queue.claim('w-p', 2, LEASE);
    const perm = claimed.find((j) => j.type === 'perm')!;
    const rel = claimed.find((j) => j.type === 'rel')!;
    await queue.fail('w-p', [{ id: perm.id, attempt: 1, error: 'no such template', permanent: true }]);
    expect(await row(perm.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'no such template' });
    const released = await queue.release('w-p', [{ id: rel.id, attempt: 1 }]);
    expect(released).toHaveLength(1);
    expect(await row(rel.id)).toMatchObject({ status: 'pending', attempts: 0, worker_id: null, lock_expires_at: null });
    expect((await auditOf(rel.id)).map((a) => a.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.released']);
  });

  it('extendLease moves the deadline for the holder only', async () => {
    await queue.enqueue('long', null, {});
    const [c] = await queue.claim('w-l', 1, 2000);
    expect(await queue.extendLease(c!.id, 'w-other', 60_000)).toBe(false);
    expect(await queue.extendLease(c!.id, 'w-l', 60_000)).toBe(true);
    const r = await row(c!.id);
    expect(r.lock_expires_at!.getTime() - Date.now()).toBeGreaterThan(50_000);
    expect(await queue.extendLeases('w-l', [{ id: c!.id, attempt: 2 }], 1000)).toEqual(new Set());
  });
});

describe('reclaim', () => {
  it('returns expired claims to pending with the attempt counted, and fails those on their last attempt', async () => {
    await queue.enqueueMany([{ type: 'r', tenantId: null, payload: { i: 1 }, maxAttempts: 3 }, { type: 'r', tenantId: null, payload: { i: 2 }, maxAttempts: 1 }]);
    const claimed = await queue.claim('w-dead', 2, 200);
    const live = await queue.enqueue('r_live', null, {});
    await queue.claim('w-alive', 1, LEASE);
    expect(await queue.reclaimExpired()).toEqual([]); // not expired yet
    await new Promise((r) => setTimeout(r, 250));
    const reclaimed = await queue.reclaimExpired();
    expect(reclaimed.map((j) => j.id).sort()).toEqual(claimed.map((j) => j.id).sort());
    const again = claimed.find((j) => j.max_attempts === 3)!;
    const last = claimed.find((j) => j.max_attempts === 1)!;
    expect(await row(again.id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'lease expired', worker_id: null });
    expect(await row(last.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'lease expired' });
    expect(await row(live.job!.id)).toMatchObject({ status: 'claimed', worker_id: 'w-alive' });
    const audit = await auditOf(again.id);
    expect(audit.map((a) => a.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.reclaimed']);
    expect(audit[2]!.payload).toMatchObject({ lost_by: 'w-dead' });
    // the dead worker's late result is refused
    expect((await queue.complete('w-dead', [{ id: again.id, attempt: 1, outcome: 'completed' }])).settled).toEqual([]);
    // the reclaimed job is claimable again, attempt 2
    expect((await queue.claim('w-new', 5, LEASE)).map((j) => [j.id, j.attempts])).toEqual([[again.id, 2]]);
  });

  it('is a cluster singleton: a pass does nothing while another instance holds the advisory lock', async () => {
    await queue.enqueue('r2', null, {});
    await queue.claim('w-dead', 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    const other = new pg.Client({ connectionString: t.db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(7364201103)');
      expect(await queue.reclaimExpired()).toEqual([]);
      await other.query('COMMIT');
      expect(await queue.reclaimExpired()).toHaveLength(1);
    } finally {
      await other.end();
    }
  });
});

describe('cancel and retry', () => {
  it('cancel: pending → cancelled; a claimed job answers JOB_CLAIMED; unknown → JOB_NOT_FOUND; a tenant filter hides other tenants', async () => {
    const tenant = randomUUID();
    const a = await queue.enqueue('k', tenant, {});
    const b = await queue.enqueue('k2', tenant, {});
    await queue.claim('w-k', 1, LEASE); // claims one of them
    const claimedId = (await sql.query(`SELECT id FROM jobs WHERE status = 'claimed'`)).rows[0].id;
    const pendingId = claimedId === a.job!.id ? b.job!.id : a.job!.id;
    await expect(queue.cancel(claimedId)).rejects.toMatchObject({ code: JobsErrorCode.JOB_CLAIMED, status: 409 });
    await expect(queue.cancel(pendingId, { tenantId: randomUUID() })).rejects.toMatchObject({ code: JobsErrorCode.JOB_NOT_FOUND, status: 404 });
    await expect(queue.cancel(randomUUID())).rejects.toMatchObject({ code: JobsErrorCode.JOB_NOT_FOUND });
    const cancelled = await queue.cancel(pendingId, { tenantId: tenant, reason: 'not needed' });
    expect(cancelled).toMatchObject({ status: 'cancelled', outcome: 'cancelled', outcome_reason: 'not needed' });
    await expect(queue.cancel(pendingId)).rejects.toMatchObject({ code: JobsErrorCode.INVALID_STATE });
    expect(await row(claimedId)).toMatchObject({ status: 'claimed' });
  });

  it('cancel racing with claim: never both (300 jobs, cancels and claims interleaved concurrently)', async () => {
    const ids = (await queue.enqueueMany(Array.from({ length: 300 }, (_, i) => ({ type: 'race', tenantId: null, payload: { i } })))).map((r) => r.job!.id);
    const claimedIds = new Set<string>();
    const cancelledIds = new Set<string>();
    const refused = new Set<string>();
    const claimers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 60; i++) for (const j of await queue.claim(`w-race-${w}`, 3, LEASE)) claimedIds.add(j.id);
    });
    const cancellers = Array.from({ length: 6 }, async (_, c) => {
      for (let i = c; i < ids.length; i += 6) {
        try {
          await queue.cancel(ids[i]!);
          cancelledIds.add(ids[i]!);
        } catch (e) {
          expect((e as JobsException).code).toBe(JobsErrorCode.JOB_CLAIMED);
          refused.add(ids[i]!);
        }
      }
    });
    await Promise.all([...claimers, ...cancellers]);
    expect(claimedIds.size).toBeGreaterThan(0);
    expect(cancelledIds.size).toBeGreaterThan(0);
    for (const id of cancelledIds) expect(claimedIds.has(id)).toBe(false);
    for (const id of refused) expect(claimedIds.has(id)).toBe(true);
    const { rows } = await sql.query(`SELECT id, status FROM jobs WHERE type = 'race'`);
    for (const r of rows) {
      if (cancelledIds.has(r.id)) expect(r.status).toBe('cancelled');
      if (claimedIds.has(r.id)) expect(r.status).toBe('claimed');
    }
    const both = await sql.query(
      `SELECT entity_id FROM audit_log WHERE entity_type = 'job' AND event_type IN ('job.claimed', 'job.cancelled') AND entity_id = ANY($1::text[])
        GROUP BY entity_id HAVING count(DISTINCT event_type) > 1`,
      [ids],
    );
    expect(both.rows).toEqual([]);
  });

  it("cancelForAppointment cancels the appointment's pending jobs inside the caller's transaction, not its running ones", async () => {
    const apt = randomUUID();
    await queue.enqueueMany([
      { type: 'send_reminder', tenantId: null, payload: {}, appointmentId: apt, runAt: new Date(Date.now() + 3_600_000) },
      { type: 'send_follow_up', tenantId: null, payload: {}, appointmentId: apt, runAt: new Date(Date.now() + 7_200_000) },
      { type: 'send_confirmation', tenantId: null, payload: {}, appointmentId: apt, priority: 10 },
      { type: 'send_reminder', tenantId: null, payload: {}, appointmentId: randomUUID() },
    ]);
    const [running] = await queue.claim('w-apt', 1, LEASE);
    expect(running!.type).toBe('send_confirmation');
    await expect(
      db.transaction(async (m) => {
        expect(await queue.cancelForAppointment(apt, m, 'appointment cancelled')).toHaveLength(2);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status = 'cancelled'`)).rows[0].n).toBe(0);
    const cancelled = await db.transaction((m) => queue.cancelForAppointment(apt, m, 'appointment cancelled'));
    expect(cancelled.map((j) => j.type).sort()).toEqual(['send_follow_up', 'send_reminder']);
    const statuses = await sql.query(`SELECT type, status, outcome_reason FROM jobs WHERE appointment_id = $1 ORDER BY type`, [apt]);
    expect(statuses.rows).toEqual([
      { type: 'send_confirmation', status: 'claimed', outcome_reason: null },
      { type: 'send_follow_up', status: 'cancelled', outcome_reason: 'appointment cancelled' },
      { type: 'send_reminder', status: 'cancelled', outcome_reason: 'appointment cancelled' },
    ]);
  });

  it('retry: failed or cancelled → pending with attempts reset; other states refused; a taken dedupe key answers DUPLICATE_JOB', async () => {
    const { job } = await queue.enqueue('rt', null, {}, { maxAttempts: 1, dedupeKey: 'rt-1' });
    const [c] = await queue.claim('w-rt', 1, LEASE);
    await queue.fail('w-rt', [{ id: c!.id, attempt: 1, error: 'down' }]);
    expect(await row(job!.id)).toMatchObject({ status: 'failed', attempts: 1 });
    const retried = await queue.retry(job!.id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, outcome: null, worker_id: null, completed_at: null });
    await expect(queue.retry(job!.id)).rejects.toMatchObject({ code: JobsErrorCode.INVALID_STATE });
    await expect(queue.retry(randomUUID())).rejects.toMatchObject({ code: JobsErrorCode.JOB_NOT_FOUND });
    await queue.cancel(job!.id);
    await queue.enqueue('rt', null, {}, { dedupeKey: 'rt-1' }); // the key is free again, and now taken
    await expect(queue.retry(job!.id)).rejects.toMatchObject({ code: JobsErrorCode.DUPLICATE_JOB, status: 409 });
    expect((await auditOf(job!.id)).map((a) => a.event_type)).toEqual([
      'job.enqueued', 'job.claimed', 'job.failed', 'job.retried', 'job.cancelled',
    ]);
  });
});

describe('retention', () => {
  it('deletes completed and cancelled jobs older than the retention, in batches, and nothing else', async () => {
    await sql.query(
      `INSERT INTO jobs (type, status, completed_at, outcome)
       SELECT 'old', s, now() - interval '20 days', CASE WHEN s = 'completed' THEN 'completed' ELSE 'cancelled' END
         FROM generate_series(1, 25), unnest(ARRAY['completed', 'cancelled']) AS s`,
    );
    await sql.query(`INSERT INTO jobs (type, status, completed_at, last_error) VALUES ('old', 'failed', now() - interval '20 days', 'x')`);
    await sql.query(`INSERT INTO jobs (type, status, completed_at, outcome) VALUES ('recent', 'completed', now() - interval '2 days', 'completed')`);
    await queue.enqueue('pending_old', null, {}, { runAt: new Date(Date.now() - 30 * 86_400_000) });
    expect(await queue.purgeFinished(14, 7)).toBe(50);
    const left = await sql.query(`SELECT type, status FROM jobs ORDER BY type`);
    expect(left.rows).toEqual([
      { type: 'old', status: 'failed' },
      { type: 'pending_old', status: 'pending' },
      { type: 'recent', status: 'completed' },
    ]);
    expect((await sql.query(`SELECT count(*)::int AS n, sum((payload->>'count')::int)::int AS total FROM audit_log WHERE event_type = 'job.purged'`)).rows[0]).toEqual({ n: 8, total: 50 });
  });
});
