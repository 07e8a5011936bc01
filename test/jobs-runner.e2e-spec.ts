import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/common/config/app-config.js';
import { JobHandlerRegistry } from '../src/modules/jobs/job-handler.registry.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { JobsModule } from '../src/modules/jobs/jobs.module.js';
import type { Job, JobContext } from '../src/modules/jobs/job.types.js';
import { PermanentJobError } from '../src/modules/jobs/permanent-job.error.js';
import { startQueueProcess } from './fixtures/queue-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

type Setup = (registry: JobHandlerRegistry, runner: JobRunner) => void;

let db: TestDatabase;
let sql: pg.Client;
const apps: TestApp[] = [];

/**
 * The whole application with a runner. These tests exercise the runner itself, so the guard that
 * the autonomy module plugs in (it runs registered tools only) is taken out again before any job
 * exists; `setup` then registers the test's handlers (and its own gate or executor).
 */
async function runnerApp(over: Partial<AppConfig>, setup: Setup = () => undefined): Promise<TestApp> {
  const app = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 5000, ...over }, db, [JobsModule]);
  apps.push(app);
  const runner = app.app.get(JobRunner);
  runner.setExecutor(null);
  runner.setClaimGate(null);
  setup(app.app.get(JobHandlerRegistry), runner);
  return app;
}
async function apiApp(): Promise<TestApp> {
  const app = await startTestApp({ role: 'api', autonomyEnabled: true }, db, [JobsModule]);
  apps.push(app);
  return app;
}
const until = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000) =>
  pollUntil(what, probe, timeoutMs, 10);
async function statusOf(id: string): Promise<Job> {
  return (await sql.query(`SELECT * FROM jobs WHERE id = $1`, [id])).rows[0];
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start times of jobs, by id, as the handler saw them. */
function startRecorder() {
  const started = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  return {
    handler: (job: Job) => {
      const at = Date.now();
      started.set(job.id, at);
      waiters.get(job.id)?.(at);
    },
    startOf: (id: string, timeoutMs = 5000) =>
      started.has(id)
        ? Promise.resolve(started.get(id)!)
        : new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`job ${id} did not start within ${timeoutMs} ms`)), timeoutMs);
            waiters.set(id, (at) => (clearTimeout(timer), resolve(at)));
          }),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close().catch(() => undefined);
  await sql.query(`DELETE FROM jobs`);
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

describe('job runner', () => {
  it('a job that always fails ends failed after exactly 3 attempts, with growing delays and its last error; other jobs keep running', async () => {
    const calls: number[] = [];
    const t = await runnerApp({ agentJobBackoffBaseMs: 150, agentMaxConcurrentJobs: 2 }, (r) => {
      r.register('always_fails', (_job: Job, ctx: JobContext) => {
        calls.push(Date.now());
        throw new Error(`smtp unavailable (attempt ${ctx.attempt})`);
      });
      r.register('fine', () => ({ outcome: 'completed' as const }));
    });
    const queue = t.app.get(JobQueue);
    const { job } = await queue.enqueue('always_fails', null, {}, { maxAttempts: 3 });
    const others = await queue.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ type: 'fine', tenantId: null, payload: { i } })));
    const final = await until('the job to fail for good', async () => {
      const j = await statusOf(job!.id);
      return j.status === 'failed' && j;
    });
    expect(final).toMatchObject({ attempts: 3, last_error: 'smtp unavailable (attempt 3)' });
    expect(calls).toHaveLength(3);
    // The delays the queue scheduled: 150 ms ± 20%, then 300 ms ± 20%.
    const retries = await sql.query(
      `SELECT (payload->>'next_run_at')::timestamptz AS next_run_at, created_at FROM audit_log
        WHERE entity_id = $1 AND event_type = 'job.retry_scheduled' ORDER BY seq`,
      [job!.id],
    );
    const scheduled = retries.rows.map((r) => r.next_run_at.getTime() - r.created_at.getTime());
    expect(scheduled).toHaveLength(2);
    expect(scheduled[0]).toBeGreaterThanOrEqual(120);
    expect(scheduled[0]).toBeLessThanOrEqual(180);
    expect(scheduled[1]).toBeGreaterThanOrEqual(240);
    expect(scheduled[1]).toBeLessThanOrEqual(360);
    // Each retry ran at its time, not before, and was woken by the runner's own timer (the poll is 5 s).
    expect(calls[1]!).toBeGreaterThanOrEqual(retries.rows[0].next_run_at.getTime());
    expect(calls[2]!).toBeGreaterThanOrEqual(retries.rows[1].next_run_at.getTime());
    expect(calls[2]! - calls[0]!).toBeLessThan(3000);
    await sleep(400);
    expect(calls).toHaveLength(3);
    const done = await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [others.map((o) => o.job!.id)]);
    expect(done.rows[0].n).toBe(20);
    const audit = await sql.query(`SELECT event_type, payload->>'error' AS error FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [job!.id]);
    expect(audit.rows.map((r) => r.event_type)).toEqual([
      'job.enqueued', 'job.claimed', 'job.retry_scheduled', 'job.claimed', 'job.retry_scheduled', 'job.claimed', 'job.failed',
    ]);
    expect(audit.rows[6].error).toBe('smtp unavailable (attempt 3)');
  });

  it('handler outcomes: skipped and cancelled with reasons; an unregistered type, a PermanentJobError and an invalid result fail at once', async () => {
    const t = await runnerApp({}, (r) => {
      r.register('skips', () => ({ outcome: 'skipped' as const, reason: 'policy denied' }));
      r.register('cancels', () => ({ outcome: 'cancelled' as const, reason: 'appointment gone' }));
      r.register('permanent', () => {
        throw new PermanentJobError('template missing');
      });
      r.register('weird', () => ({ outcome: 'done' }) as never);
    });
    const queue = t.app.get(JobQueue);
    const ids = await Promise.all(['skips', 'cancels', 'permanent', 'weird', 'nobody_handles_this'].map(async (type) => (await queue.enqueue(type, null, {})).job!.id));
    const rows = await until('all jobs to finish', async () => {
      const r = await sql.query(`SELECT type, status, outcome, outcome_reason, attempts, last_error FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY type`, [ids]);
      return r.rows.every((x) => x.status !== 'pending' && x.status !== 'claimed') && r.rows;
    });
    expect(rows).toEqual([
      { type: 'cancels', status: 'cancelled', outcome: 'cancelled', outcome_reason: 'appointment gone', attempts: 1, last_error: null },
      { type: 'nobody_handles_this', status: 'failed', outcome: null, outcome_reason: null, attempts: 1, last_error: 'unregistered job type "nobody_handles_this"' },
      { type: 'permanent', status: 'failed', outcome: null, outcome_reason: null, attempts: 1, last_error: 'template missing' },
      { type: 'skips', status: 'completed', outcome: 'skipped', outcome_reason: 'policy denied', attempts: 1, last_error: null },
      { type: 'weird', status: 'failed', outcome: null, outcome_reason: null, attempts: 1, last_error: expect.stringContaining('invalid result') },
    ]);
    const audited = await sql.query(`SELECT event_type FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [ids[4]]);
    expect(audited.rows.map((r) => r.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.failed']);
  });

  it('runs the highest priority first, and never more than AGENT_MAX_CONCURRENT_JOBS at once', async () => {
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    let open = false;
    const t = await runnerApp({ agentMaxConcurrentJobs: 3 }, (r, runner) => {
      runner.setClaimGate(() => open);
      r.register('ranked', async (job: Job<{ p: number }>) => {
        order.push(job.payload.p);
        running++;
        peak = Math.max(peak, running);
        await sleep(40);
        running--;
      });
    });
    const queue = t.app.get(JobQueue);
    const priorities = [1, 9, 3, 7, 5, 2, 8, 4, 6, 0, 1, 9];
    await queue.enqueueMany(priorities.map((p) => ({ type: 'ranked', tenantId: null, payload: { p }, priority: p })));
    const runner = t.app.get(JobRunner);
    expect(runner.state()).toMatchObject({ running: true, concurrency: 3, inFlight: 0, pollIntervalMs: 5000, workerId: expect.stringContaining(`:${process.pid}:`) });
    const before = runner.state().lastClaimAt;
    open = true;
    runner.wake();
    await until('every job to run', async () => order.length === priorities.length && running === 0);
    expect(peak).toBe(3);
    // The first claim takes the top three; each later claim takes the best of what is left.
    expect(order.slice(0, 3).sort((a, b) => b - a)).toEqual([9, 9, 8]);
    expect(order.slice(-2).sort()).toEqual([0, 1]);
    expect(runner.state().lastClaimAt).not.toBe(before);
  });

  it('claims nothing while the master switch is off, or while the claim gate says no (or fails)', async () => {
    const ran: string[] = [];
    const off = await runnerApp({ autonomyEnabled: false, agentJobPollIntervalMs: 50 }, (r) => r.register('gated', (j: Job) => void ran.push(j.id)));
    await off.app.get(JobQueue).enqueueMany(Array.from({ length: 3 }, () => ({ type: 'gated', tenantId: null, payload: {} })));
    await sleep(400);
    expect(ran).toEqual([]);
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status = 'pending' AND attempts = 0`)).rows[0].n).toBe(3);
    await off.close();
    apps.splice(apps.indexOf(off), 1);
    await sql.query(`DELETE FROM jobs`);

    let gate: () => boolean | Promise<boolean> = () => false;
    const on = await runnerApp({ agentJobPollIntervalMs: 50 }, (r, runner) => {
      runner.setClaimGate(() => gate());
      r.register('gated', (j: Job) => void ran.push(j.id));
    });
    // a claim the runner started at boot, before the test closed the gate, may still be waiting for a
    // pool connection on a busy machine: let it finish (it finds no job) before any job exists
    await sleep(300);
    await on.app.get(JobQueue).enqueueMany(Array.from({ length: 3 }, () => ({ type: 'gated', tenantId: null, payload: {} })));
    await sleep(300);
    gate = async () => {
      throw new Error('settings unavailable');
    };
    await sleep(300);
    expect(ran).toEqual([]);
    gate = () => true;
    on.app.get(JobRunner).wake();
    await until('the gated jobs to run', async () => ran.length === 3);
  });

  it('an executor wraps every run: it may skip without calling the handler, or call it', async () => {
    const handled: string[] = [];
    const t = await runnerApp({}, (r, runner) => {
      r.register('guarded', (j: Job<{ allow: boolean }>) => void handled.push(j.id));
      runner.setExecutor(async (job, handler, ctx) => {
        if (!(job.payload as { allow: boolean }).allow) return { outcome: 'skipped', reason: 'policy denied: default deny' };
        return handler(job, ctx);
      });
    });
    const queue = t.app.get(JobQueue);
    const allowed = await queue.enqueue('guarded', null, { allow: true });
    const denied = await queue.enqueue('guarded', null, { allow: false });
    await until('both to finish', async () => (await sql.query(`SELECT 1 FROM jobs WHERE status = 'completed'`)).rowCount === 2);
    expect(handled).toEqual([allowed.job!.id]);
    expect(await statusOf(denied.job!.id)).toMatchObject({ outcome: 'skipped', outcome_reason: 'policy denied: default deny' });
  });

  it('an idle runner polling every 5 s starts a job within 100 ms: enqueued in the same process, from another connection, from another process', async () => {
    const rec = startRecorder();
    const t = await runnerApp({ agentJobPollIntervalMs: 5000 }, (r) => r.register('wake', rec.handler));
    const runner = t.app.get(JobRunner);
    await until('the LISTEN connection', async () => runner.state().listening);
    await sleep(200);
    const local = t.app.get(JobQueue);
    const other = (await apiApp()).app.get(JobQueue);
    const child = await startQueueProcess(db.url, { QUEUE_WORKER_MODE: 'enqueue', APP_ROLE: 'api' });
    try {
      const latencies: Record<string, number[]> = { local: [], connection: [], process: [] };
      for (let i = 0; i < 8; i++) {
        for (const [source, queue] of [['local', local], ['connection', other]] as const) {
          const t0 = Date.now();
          const { job } = await queue.enqueue('wake', null, { i });
          latencies[source]!.push((await rec.startOf(job!.id)) - t0);
          await sleep(20);
        }
        child.send('wake');
        const [, id, t0] = (await child.nextLine('enqueued ')).split(' ');
        latencies.process!.push((await rec.startOf(id!)) - Number(t0));
        await sleep(20);
      }
      // Typically 5-20 ms. On two CPU cores shared with the other test files a sample now and then
      // waits for the scheduler past 100 ms, so the bound is on the median; and no sample may
      // approach the poll, which a runner waiting for its 5 s tick could not avoid.
      for (const [source, ms] of Object.entries(latencies)) {
        const detail = `${source}: ${ms.join(', ')} ms`;
        const sorted = [...ms].sort((x, y) => x - y);
        expect(sorted[Math.floor(sorted.length / 2)], detail).toBeLessThan(100);
        expect(sorted[sorted.length - 1], detail).toBeLessThan(1000);
      }
      // A job due later starts at its time, not at the next poll.
      const at = Date.now() + 400;
      const { job } = await local.enqueue('wake', null, {}, { runAt: new Date(at) });
      const started = await rec.startOf(job!.id);
      expect(started).toBeGreaterThanOrEqual(at);
      expect(started - at).toBeLessThan(500);
    } finally {
      await child.stop();
    }
  });

  it('poll-only mode (AGENT_JOB_LISTEN=false) still runs jobs enqueued elsewhere, at the poll', async () => {
    const rec = startRecorder();
    const t = await runnerApp({ jobListen: false, agentJobPollIntervalMs: 150 }, (r) => r.register('polled', rec.handler));
    const other = (await apiApp()).app.get(JobQueue);
    await sleep(200);
    expect(t.app.get(JobRunner).state().listening).toBe(false);
    const t0 = Date.now();
    const { job } = await other.enqueue('polled', null, {});
    const latency = (await rec.startOf(job!.id, 3000)) - t0;
    expect(latency).toBeLessThan(1000);
  });

  it('graceful shutdown: stops claiming, lets running jobs finish within the grace period, releases the rest; none is left claimed', async () => {
    const aborted: string[] = [];
    const started = new Set<string>();
    // The quick jobs hold their slots until the runner has stopped claiming, so the jobs enqueued
    // meanwhile cannot take a slot freed early on a slow machine; then they finish inside the grace.
    let beginShutdown!: () => void;
    const shuttingDown = new Promise<void>((resolve) => (beginShutdown = resolve));
    const t = await runnerApp({ agentMaxConcurrentJobs: 4, agentJobShutdownGraceMs: 500 }, (r) => {
      r.register('quick', async (j: Job) => {
        started.add(j.id);
        await shuttingDown;
        await sleep(100);
      });
      r.register('stuck', async (j: Job, ctx: JobContext) => {
        started.add(j.id);
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.push(j.id);
      });
    });
    const queue = t.app.get(JobQueue);
    const quick = (await queue.enqueueMany([1, 2].map((i) => ({ type: 'quick', tenantId: null, payload: { i } })))).map((r) => r.job!.id);
    const stuck = (await queue.enqueueMany([1, 2].map((i) => ({ type: 'stuck', tenantId: null, payload: { i } })))).map((r) => r.job!.id);
    await until('four jobs running', async () => started.size === 4);
    const waiting = (await queue.enqueueMany([1, 2, 3].map((i) => ({ type: 'quick', tenantId: null, payload: { i } })))).map((r) => r.job!.id);
    const t0 = Date.now();
    const runner = t.app.get(JobRunner);
    const closed = t.close();
    await until('the runner stops claiming', async () => !runner.state().running);
    beginShutdown();
    await closed;
    apps.splice(apps.indexOf(t), 1);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(5000);
    const rows = await sql.query(`SELECT id, status, attempts, worker_id FROM jobs`);
    const by = new Map(rows.rows.map((r) => [r.id, r]));
    expect(rows.rows.filter((r) => r.status === 'claimed')).toEqual([]);
    for (const id of quick) expect(by.get(id)).toMatchObject({ status: 'completed', attempts: 1 });
    for (const id of stuck) expect(by.get(id)).toMatchObject({ status: 'pending', attempts: 0, worker_id: null });
    for (const id of waiting) expect(by.get(id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(aborted.sort()).toEqual([...stuck].sort());
    const released = await sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE event_type = 'job.released' AND entity_id = ANY($1::text[])`, [stuck]);
    expect(released.rows[0].n).toBe(2);
  });

  it('recovers by itself when its database connections are killed, again and again, while running jobs; every job runs exactly once', async () => {
    const runs = new Map<string, number>();
    // Poll every 5 s: recovery must come from the runner's own backoff, the reclaimer and LISTEN.
    const t = await runnerApp({ agentMaxConcurrentJobs: 5, agentJobPollIntervalMs: 5000, agentJobStaleTimeoutMs: 1500 }, (r) =>
      r.register('steady', async (j: Job) => {
        runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
        await sleep(5);
      }),
    );
    const runner = t.app.get(JobRunner);
    await until('the LISTEN connection', async () => runner.state().listening);
    const queue = t.app.get(JobQueue);
    const ids = (await queue.enqueueMany(Array.from({ length: 300 }, (_, i) => ({ type: 'steady', tenantId: null, payload: { i } })))).map((r) => r.job!.id);
    for (let k = 0; k < 4; k++) {
      await sleep(60);
      await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    }
    await until('every job to complete', async () => (await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status = 'completed'`)).rows[0].n === ids.length, 20_000);
    expect(runs.size).toBe(ids.length);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    await until('LISTEN to reconnect', async () => runner.state().listening);
    // and it is woken by NOTIFY again
    const rec = startRecorder();
    t.app.get(JobHandlerRegistry).register('after', rec.handler);
    const other = (await apiApp()).app.get(JobQueue);
    await sleep(300);
    const t0 = Date.now();
    const { job } = await other.enqueue('after', null, {});
    expect((await rec.startOf(job!.id)) - t0).toBeLessThan(1000);
  });
});

describe('wake-up signals', () => {
  it('jobs due now go to a runner with room straight from the INSERT: claimed in the enqueuing transaction, started at its commit; a rollback gives the slots back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    try {
      const t = await runnerApp({ agentMaxConcurrentJobs: 2 }, (r) =>
        r.register('held', async (job) => {
          started.push(job.id);
          await gate;
        }),
      );
      const queue = t.app.get(JobQueue);
      const runner = t.app.get(JobRunner);
      const dataSource = t.app.get(DataSource);
      // rolled back: the two slots it promised must come back
      await expect(
        dataSource.transaction(async (m) => {
          await queue.enqueueMany([0, 1].map((i) => ({ type: 'held', tenantId: null, payload: { i } })), m);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await sql.query(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n).toBe(0);

      const later = new Date(Date.now() + 3_600_000);
      const results = await dataSource.transaction((m) =>
        queue.enqueueMany([0, 1, 2].map((i) => ({ type: 'held', tenantId: null, payload: { i }, runAt: i === 2 ? later : undefined })), m),
      );
      const [a, b, c] = results.map((r) => r.job!.id);
      await until('both jobs due now to start', () => started.length === 2);
      expect(started.sort()).toEqual([a, b].sort());
      // claimed by the INSERT itself: same transaction (same now()), this runner, attempt 1, leased
      const rows = (await sql.query(`SELECT id, status, worker_id, attempts, claimed_at = created_at AS same_tx, lock_expires_at > now() AS leased FROM jobs ORDER BY id`)).rows;
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of [a, b]) expect(byId.get(id)).toMatchObject({ status: 'claimed', worker_id: runner.workerId, attempts: 1, same_tx: true, leased: true });
      expect(byId.get(c)).toMatchObject({ status: 'pending', worker_id: null, attempts: 0 });
      // audited as two transitions: enqueued (pending), then claimed by the runner
      const audit = (
        await sql.query(
          `SELECT a.entity_id, a.event_type, a.actor, a.payload->>'status' AS status, (a.payload->>'attempts')::int AS attempts,
                  a.payload->>'worker_id' AS worker_id, (a.payload->>'run_at')::timestamptz = date_trunc('milliseconds', j.run_at) AS run_at_stored,
                  (a.payload->>'lock_expires_at')::timestamptz = date_trunc('milliseconds', j.lock_expires_at) AS lease_stored
             FROM audit_log a JOIN jobs j ON j.id::text = a.entity_id WHERE a.entity_id = $1 ORDER BY a.seq`,
          [a],
        )
      ).rows;
      expect(audit).toEqual([
        { entity_id: a, event_type: 'job.enqueued', actor: expect.any(String), status: 'pending', attempts: 0, worker_id: null, run_at_stored: true, lease_stored: null },
        { entity_id: a, event_type: 'job.claimed', actor: `worker:${runner.workerId}`, status: 'claimed', attempts: 1, worker_id: runner.workerId, run_at_stored: null, lease_stored: true },
      ]);
      release();
      await until('both to complete', async () => (await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status = 'completed'`)).rows[0].n === 2);
    } finally {
      release();
    }
  });

  it('a runner with room takes what its own process enqueued without a NOTIFY, whatever later jobs come along; a full one notifies once per transaction', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => void (n.channel === 'agent_jobs' && heard.push(n.payload ?? '')));
    await listener.query('LISTEN agent_jobs');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: number[] = [];
    try {
      const t = await runnerApp({ agentMaxConcurrentJobs: 2 }, (r) =>
        r.register('held', async (job) => {
          started.push(Number((job.payload as { i: number }).i));
          await gate;
        }),
      );
      const queue = t.app.get(JobQueue);
      const later = new Date(Date.now() + 3_600_000);
      // a booking's shape: one job due now, three due later, in one transaction
      await queue.enqueueMany([0, 1, 2, 3].map((i) => ({ type: 'held', tenantId: null, payload: { i }, runAt: i === 0 ? undefined : later })));
      await until('the job due now to start', () => started.includes(0));
      await sleep(150);
      expect(heard).toEqual([]);
      // one slot left, two jobs due now: this runner cannot take both, so the other processes are told, once
      await queue.enqueueMany([4, 5].map((i) => ({ type: 'held', tenantId: null, payload: { i } })));
      await until('a NOTIFY', () => heard.length > 0);
      await sleep(150);
      expect(heard).toHaveLength(1);
    } finally {
      release();
      await listener.end();
    }
  });
});
