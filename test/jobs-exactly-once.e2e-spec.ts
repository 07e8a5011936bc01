import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { JobsModule } from '../src/modules/jobs/jobs.module.js';
import { startQueueProcess, type QueueProcess } from './fixtures/queue-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const JOBS = 5000;

let db: TestDatabase;
let sql: pg.Client;
let enqueuer: TestApp;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  await sql.query(`CREATE TABLE exactly_once_runs (job_id uuid PRIMARY KEY, worker_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await sql.query(`CREATE TABLE job_marks (job_id uuid NOT NULL, worker_id text NOT NULL, attempt int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  // An API-role process of its own: it enqueues, runs nothing, and wakes the workers by NOTIFY.
  enqueuer = await startTestApp({ role: 'api', autonomyEnabled: true }, db, [JobsModule]);
});
afterAll(async () => {
  await enqueuer?.close();
  await sql?.end();
  await db?.drop();
});

describe('job queue across OS processes', () => {
  it(`3 processes × concurrency 5 run ${JOBS} jobs exactly once each`, async () => {
    const workers: QueueProcess[] = await Promise.all(
      [1, 2, 3].map(() => startQueueProcess(db.url, { AGENT_MAX_CONCURRENT_JOBS: '5', AGENT_JOB_POLL_INTERVAL_MS: '1000' })),
    );
    try {
      const queue = enqueuer.app.get(JobQueue);
      for (let i = 0; i < JOBS; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({ type: 'exactly_once', tenantId: null, payload: { n: i + k } }));
        const results = await queue.enqueueMany(batch);
        expect(results.every((r) => r.created)).toBe(true);
      }
      const deadline = Date.now() + 90_000;
      for (;;) {
        const { rows } = await sql.query(`SELECT count(*) FILTER (WHERE status IN ('completed', 'failed'))::int AS done FROM jobs WHERE type = 'exactly_once'`);
        if (rows[0].done === JOBS) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0].done} of ${JOBS} jobs finished`);
        await new Promise((r) => setTimeout(r, 100));
      }

      const runs = await sql.query(`SELECT count(*)::int AS n, count(DISTINCT job_id)::int AS distinct_jobs FROM exactly_once_runs`);
      expect(runs.rows[0]).toEqual({ n: JOBS, distinct_jobs: JOBS });
      const statuses = await sql.query(`SELECT status, outcome, attempts, count(*)::int AS n FROM jobs WHERE type = 'exactly_once' GROUP BY 1, 2, 3`);
      expect(statuses.rows).toEqual([{ status: 'completed', outcome: 'completed', attempts: 1, n: JOBS }]);
      // Every run is recorded by the worker that claimed the job, and all three took part.
      const mismatched = await sql.query(`SELECT count(*)::int AS n FROM exactly_once_runs r JOIN jobs j ON j.id = r.job_id WHERE j.worker_id <> r.worker_id`);
      expect(mismatched.rows[0].n).toBe(0);
      const perWorker = await sql.query(`SELECT worker_id, count(*)::int AS n FROM exactly_once_runs GROUP BY 1`);
      expect(perWorker.rows.map((r) => r.worker_id).sort()).toEqual(workers.map((w) => w.workerId).sort());
      const audit = await sql.query(
        `SELECT event_type, count(*)::int AS n FROM audit_log WHERE entity_type = 'job' AND event_type IN ('job.enqueued', 'job.claimed', 'job.completed', 'job.failed', 'job.reclaimed') GROUP BY 1 ORDER BY 1`,
      );
      expect(audit.rows).toEqual([
        { event_type: 'job.claimed', n: JOBS },
        { event_type: 'job.completed', n: JOBS },
        { event_type: 'job.enqueued', n: JOBS },
      ]);
      for (const w of workers) expect(w.output()).not.toMatch(/duplicate key|unique constraint/i);
    } finally {
      const exits = await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
    }
    expect((await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status = 'claimed'`)).rows[0].n).toBe(0);
  });

  it('a job whose worker is killed (SIGKILL) mid-run is reclaimed after its lease and completed by another process, the attempt counted', async () => {
    const lease = { AGENT_JOB_STALE_TIMEOUT_MS: '1500', AGENT_JOB_LEASE_MS: '30000', AGENT_JOB_POLL_INTERVAL_MS: '200' };
    const doomed = await startQueueProcess(db.url, { ...lease, AGENT_MAX_CONCURRENT_JOBS: '1' });
    const queue = enqueuer.app.get(JobQueue);
    const { job } = await queue.enqueue('hang', null, { case: 'sigkill' });
    let survivor: QueueProcess | undefined;
    try {
      const started = Date.now() + 10_000;
      while ((await sql.query(`SELECT 1 FROM job_marks WHERE job_id = $1`, [job!.id])).rowCount === 0) {
        if (Date.now() > started) throw new Error(`the job did not start; output:\n${doomed.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const claimed = (await sql.query(`SELECT status, worker_id, attempts, lock_expires_at FROM jobs WHERE id = $1`, [job!.id])).rows[0];
      expect(claimed).toMatchObject({ status: 'claimed', worker_id: doomed.workerId, attempts: 1 });
      doomed.proc.kill('SIGKILL');
      expect((await doomed.exited).signal).toBe('SIGKILL');

      // This one completes `hang` jobs instead of hanging.
      survivor = await startQueueProcess(db.url, { ...lease, QUEUE_WORKER_HANG: '0' });
      const deadline = Date.now() + 15_000;
      let row;
      for (;;) {
        row = (await sql.query(`SELECT status, worker_id, attempts, last_error, completed_at FROM jobs WHERE id = $1`, [job!.id])).rows[0];
        if (row.status === 'completed') break;
        if (Date.now() > deadline) throw new Error(`not completed: ${JSON.stringify(row)}\n${survivor.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row).toMatchObject({ status: 'completed', worker_id: survivor.workerId, attempts: 2, last_error: 'lease expired' });
      // Not taken before the dead worker's lease ran out.
      expect(row.completed_at.getTime()).toBeGreaterThanOrEqual(claimed.lock_expires_at.getTime());
      const marks = await sql.query(`SELECT worker_id, attempt FROM job_marks WHERE job_id = $1 ORDER BY at`, [job!.id]);
      expect(marks.rows).toEqual([
        { worker_id: doomed.workerId, attempt: 1 },
        { worker_id: survivor.workerId, attempt: 2 },
      ]);
      const history = await sql.query(`SELECT event_type, payload->>'lost_by' AS lost_by FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [job!.id]);
      expect(history.rows.map((r) => r.event_type)).toEqual(['job.enqueued', 'job.claimed', 'job.reclaimed', 'job.claimed', 'job.completed']);
      expect(history.rows[2].lost_by).toBe(doomed.workerId);
    } finally {
      await doomed.stop('SIGKILL');
      if (survivor) expect((await survivor.stop('SIGTERM')).code).toBe(0);
    }
  });
});
