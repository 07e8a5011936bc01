import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../src/common/config/app-config.js';
import { ConfigModule } from '../src/common/config/config.module.js';
import { APP_DB_ROLE, dataSourceOptions } from '../src/common/database/data-source-options.js';
import { EventsModule } from '../src/common/events/events.module.js';
import { JsonLogger } from '../src/common/logging/json-logger.js';
import { configureRedactionSecret } from '../src/common/redaction/index.js';
import { JobHandlerRegistry } from '../src/modules/jobs/job-handler.registry.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { JobRepository } from '../src/modules/jobs/job.repository.js';
import { JobsModule } from '../src/modules/jobs/jobs.module.js';
import type { JobCompletion } from '../src/modules/jobs/job.types.js';
import { graphileFigures, type GraphileFigures } from './graphile-compare.js';
import { BENCH_ADMIN_KEY, benchDatabase, machine, passThrough, percentile, request, startServer } from './bench-support.js';

/**
 * npm run bench:queue — the job queue on one fresh database: enqueue rate (single, batched), no-op
 * jobs/s through the runner (audit on; one process at concurrency 10, then two), the bare queue
 * (batched claim + batched completion, no audit), enqueue→start latency of a trickle into an idle
 * runner polling every 5 s, and claim latency with 1,000,000 completed jobs in the table.
 * `node dist/bench/queue.bench.js --worker` is the runner process it spawns.
 */
const RUNNER_JOBS = Number(process.env.BENCH_RUNNER_JOBS ?? 20_000);
const GUARDED_JOBS = Number(process.env.BENCH_GUARDED_JOBS ?? 10_000);
const GUARDED_CONCURRENCY = process.env.BENCH_GUARDED_CONCURRENCY ?? '10';
const BARE_JOBS = Number(process.env.BENCH_BARE_JOBS ?? 40_000);
const BARE_BATCH = Number(process.env.BENCH_BARE_BATCH ?? 50);
const BARE_LOOPS = Number(process.env.BENCH_BARE_LOOPS ?? 4);
const TRICKLE = Number(process.env.BENCH_TRICKLE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const now = () => performance.timeOrigin + performance.now();
/** The login role, for set-up the application's restricted role may not do (TRUNCATE, VACUUM). */
let admin: pg.Client;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function baseConfig(url: string, over: Partial<AppConfig>): AppConfig & { databaseUrl: string } {
  const base = loadConfig({ NODE_ENV: 'test', ADMIN_API_KEY: BENCH_ADMIN_KEY, LOG_LEVEL: 'error', AGENT_JOB_SYNC_COMMIT: process.env.AGENT_JOB_SYNC_COMMIT });
  return { ...base, seedDemo: false, autonomyEnabled: true, ...over, databaseUrl: url };
}

/**
 * The application of the bench's processes: what the queue needs and nothing else (the autonomy
 * guard, which runs registered tools only, belongs to the guarded figure, measured elsewhere).
 */
@Module({})
class QueueBenchWorkerModule {
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: QueueBenchWorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.dbPoolSize, 'queue-bench-worker', APP_DB_ROLE, config.dbPreparedStatements)),
        EventEmitterModule.forRoot({ wildcard: false }),
        ScheduleModule.forRoot(),
        EventsModule,
        JobsModule,
      ],
    };
  }
}

/** The child: a runner whose claim gate opens on "go"; `trickle` jobs report their start time. */
async function worker(): Promise<void> {
  const config = baseConfig(process.env.DATABASE_URL!, {
    agentMaxConcurrentJobs: Number(process.env.CONCURRENCY ?? 10),
    agentJobPollIntervalMs: Number(process.env.POLL_MS ?? 5000),
    dbPoolSize: 10,
  });
  configureRedactionSecret(config.redactionSecret);
  const app = await NestFactory.createApplicationContext(QueueBenchWorkerModule.forRoot(config), { logger: new JsonLogger('error') });
  let go = false;
  const runner = app.get(JobRunner);
  runner.setClaimGate(() => go);
  const registry = app.get(JobHandlerRegistry);
  registry.register('noop', () => undefined);
  registry.register('trickle', (job) => {
    process.stdout.write(`started ${job.id} ${now()}\n`);
  });
  await app.init();
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'go') {
      go = true;
      runner.wake();
    }
  });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.stdout.write('ready\n');
}

interface Child {
  proc: ChildProcess;
  lines: AsyncIterableIterator<string>;
  onLine(fn: (line: string) => void): void;
  stop(): Promise<void>;
}

async function spawnWorker(url: string, env: Record<string, string>): Promise<Child> {
  // BENCH_SERVER_NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof) profiles the worker processes
  const nodeArgs = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), '--worker'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: url, ...passThrough(), ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: proc.stdout! });
  const listeners: ((l: string) => void)[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  rl.on('line', (l) => {
    if (l === 'ready') ready();
    for (const fn of listeners) fn(l);
  });
  await isReady;
  return {
    proc,
    lines: rl[Symbol.asyncIterator](),
    onLine: (fn) => listeners.push(fn),
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** Until no job is pending or running (an index probe: counting would load the database it measures). */
async function waitForDrained(db: DataSource): Promise<void> {
  for (;;) {
    const rows: unknown[] = await db.query(`SELECT 1 FROM jobs WHERE status IN ('pending', 'claimed') LIMIT 1`);
    if (rows.length === 0) return;
    await sleep(10);
  }
}

async function enqueueNoop(queue: JobQueue, n: number, type = 'noop'): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    await queue.enqueueMany(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ type, tenantId: null, payload: { n: i + k } })));
  }
}

async function runnerRate(url: string, db: DataSource, queue: JobQueue, processes: number): Promise<number> {
  await admin.query(`TRUNCATE jobs`);
  await enqueueNoop(queue, RUNNER_JOBS);
  const workers = await Promise.all(Array.from({ length: processes }, () => spawnWorker(url, { CONCURRENCY: '10', POLL_MS: '1000' })));
  const t0 = now();
  for (const w of workers) w.proc.stdin!.write('go\n');
  await waitForDrained(db);
  const rate = RUNNER_JOBS / ((now() - t0) / 1000);
  await Promise.all(workers.map((w) => w.stop()));
  const done: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE type = 'noop' AND status = 'completed'`);
  if (done[0]!.n !== RUNNER_JOBS) throw new Error(`runner: ${done[0]!.n} of ${RUNNER_JOBS} completed`);
  return Math.round(rate);
}

async function enqueueRates(queue: JobQueue, db: DataSource): Promise<{ single: number; batched: number }> {
  await admin.query(`TRUNCATE jobs`);
  let single = 0;
  let until = Date.now() + SECONDS * 1000;
  let t0 = now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < until) {
        await queue.enqueue('enqueue_bench', null, { n: single });
        single++;
      }
    }),
  );
  const singleRate = single / ((now() - t0) / 1000);
  let batched = 0;
  until = Date.now() + SECONDS * 1000;
  t0 = now();
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (Date.now() < until) {
        await queue.enqueueMany(Array.from({ length: 500 }, (_, k) => ({ type: 'enqueue_bench', tenantId: null, payload: { n: k } })));
        batched += 500;
      }
    }),
  );
  const batchedRate = batched / ((now() - t0) / 1000);
  await admin.query(`TRUNCATE jobs`);
  return { single: Math.round(singleRate), batched: Math.round(batchedRate) };
}

/**
 * The full guarded path: the real service (APP_ROLE=all, autonomy on, concurrency 10, or
 * BENCH_GUARDED_CONCURRENCY) runs `retry_calendar_sync` jobs — a registered tool with its own
 * transaction that, with the default calendar provider `none`, does nothing after its guard — so each
 * job pays exactly the guard: tool lookup and input schema, the kill switch and runtime mode, the
 * appointment read and its version checked (the fencing token), the policy re-checked, the decision
 * audited before the tool runs and its result with the completion, plus the audited claim. Jobs are
 * made due together, two seconds after they were inserted.
 */
async function guardedRate(url: string): Promise<{ rate: number; outcomes: Record<string, number> }> {
  const n = GUARDED_JOBS;
  await admin.query(`TRUNCATE jobs`);
  const server = await startServer(url, { AUTONOMY_ENABLED: 'true', APP_ROLE: 'all', AGENT_MAX_CONCURRENT_JOBS: GUARDED_CONCURRENCY, AGENT_JOB_POLL_INTERVAL_MS: '1000', DB_POOL_SIZE: '20' });
  try {
    const ALL_WEEK = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]));
    const tenant = await request(`${server.url}/api/tenants`, 'POST', BENCH_ADMIN_KEY, { name: 'Guarded', slug: `guarded-${Date.now()}`, timezone: 'UTC', slot_minutes: 30, business_hours: ALL_WEEK });
    if (tenant.status !== 201) throw new Error(`guarded: tenant not created (${tenant.status})`);
    const tenantId: string = tenant.body.id;
    const resourceId: string = tenant.body.resource.id;
    await admin.query(
      `INSERT INTO appointments (tenant_id, resource_id, client_name, client_email, start_time, end_time)
       SELECT $1, $2, 'Guarded Client', 'g' || g || '@bench.example', t, t + interval '30 minutes'
         FROM generate_series(1, $3) AS g, LATERAL (SELECT timestamptz '2031-01-01' + make_interval(mins => 30 * g) AS t) x`,
      [tenantId, resourceId, n],
    );
    const due = await admin.query(
      `INSERT INTO jobs (tenant_id, type, payload, run_at, appointment_id, appointment_version)
       SELECT a.tenant_id, 'retry_calendar_sync', jsonb_build_object('appointment_id', a.id, 'version', a.version), now() + interval '2 seconds', a.id, a.version
         FROM appointments a WHERE a.tenant_id = $1
       RETURNING extract(epoch FROM run_at) * 1000 AS at`,
      [tenantId],
    );
    const t0 = Number(due.rows[0].at) - performance.timeOrigin;
    for (;;) {
      const rows = (await admin.query(`SELECT 1 FROM jobs WHERE status IN ('pending', 'claimed') LIMIT 1`)).rows;
      if (rows.length === 0) break;
      await sleep(10);
    }
    const rate = n / ((performance.now() - t0) / 1000);
    const outcomes = Object.fromEntries((await admin.query(`SELECT coalesce(outcome, status) AS o, count(*)::int AS n FROM jobs GROUP BY 1`)).rows.map((r) => [r.o, r.n]));
    return { rate: Math.round(rate), outcomes };
  } finally {
    await server.stop();
  }
}

/** Claim 50, acknowledge 50 with one `= ANY` statement each; 4 loops; no audit, no runner. */
async function bareRate(db: DataSource): Promise<{ rate: number; rejected: number }> {
  await admin.query(`TRUNCATE jobs`);
  await admin.query(`INSERT INTO jobs (type, payload) SELECT 'bare', '{}'::jsonb FROM generate_series(1, $1)`, [BARE_JOBS]);
  await admin.query(`VACUUM ANALYZE jobs`);
  const repo = new JobRepository();
  let claimed = 0;
  let acked = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: BARE_LOOPS }, async (_, i) => {
      const workerId = `bare-${i}`;
      for (;;) {
        const jobs = await repo.claim(db.manager, workerId, BARE_BATCH, 30_000, undefined, { asyncCommit: process.env.AGENT_JOB_SYNC_COMMIT !== 'true' });
        if (jobs.length === 0) {
          // Empty can also mean "the rest is locked by the other loops' claims right now".
          if ((await db.query(`SELECT 1 FROM jobs WHERE status = 'pending' LIMIT 1`)).length === 0) return;
          continue;
        }
        claimed += jobs.length;
        const acks: JobCompletion[] = jobs.map((j) => ({ id: j.id, attempt: j.attempts, outcome: 'completed' }));
        const recorded = await repo.complete(db.manager, workerId, acks, undefined, { asyncCommit: process.env.AGENT_JOB_SYNC_COMMIT !== 'true' });
        acked += recorded.length;
      }
    }),
  );
  const rate = acked / ((now() - t0) / 1000);
  // A claim acknowledged by nobody would be a fencing or double-claim bug: shown, never hidden.
  const rejected = claimed - acked;
  if (rejected !== 0 || acked !== BARE_JOBS) {
    const states = await admin.query(`SELECT status, attempts, count(*)::int AS n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2`);
    console.log(`bare: WARNING ${claimed} claimed, ${acked} acknowledged; jobs now: ${JSON.stringify(states.rows)}`);
  }
  return { rate: Math.round(rate), rejected };
}

/** A trickle of single jobs into an idle runner (poll 5 s): from another process (NOTIFY). */
async function trickleLatency(url: string, db: DataSource, queue: JobQueue): Promise<number[]> {
  await admin.query(`TRUNCATE jobs`);
  const w = await spawnWorker(url, { CONCURRENCY: '10', POLL_MS: '5000' });
  const started = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  w.onLine((l) => {
    const [tag, id, at] = l.split(' ');
    if (tag !== 'started' || !id) return;
    started.set(id, Number(at));
    waiters.get(id)?.();
  });
  w.proc.stdin!.write('go\n');
  await sleep(300);
  const latencies: number[] = [];
  for (let i = 0; i < TRICKLE; i++) {
    const t0 = now();
    const { job } = await queue.enqueue('trickle', null, { i });
    const id = job!.id;
    if (!started.has(id)) await new Promise<void>((r) => waiters.set(id, r));
    latencies.push(started.get(id)! - t0);
    await sleep(5 + Math.random() * 20);
  }
  await w.stop();
  return latencies.sort((a, b) => a - b);
}

/** The same, with the enqueuer and the runner in one process (woken in-process after the commit). */
async function trickleLatencyInProcess(url: string): Promise<number[]> {
  const config = baseConfig(url, { role: 'all', agentMaxConcurrentJobs: 10, agentJobPollIntervalMs: 5000, dbPoolSize: 10 });
  const app = await NestFactory.createApplicationContext(QueueBenchWorkerModule.forRoot(config), { logger: new JsonLogger('error') });
  const waiters = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  app.get(JobHandlerRegistry).register('trickle_local', (job) => {
    const at = now();
    const w = waiters.get(job.id);
    if (w) w(at);
    else early.set(job.id, at);
  });
  await app.init();
  await sleep(300);
  const queue = app.get(JobQueue);
  const latencies: number[] = [];
  for (let i = 0; i < TRICKLE; i++) {
    const t0 = now();
    const { job } = await queue.enqueue('trickle_local', null, { i });
    const id = job!.id;
    const at = early.get(id) ?? (await new Promise<number>((r) => waiters.set(id, r)));
    latencies.push(at - t0);
    await sleep(5 + Math.random() * 20);
  }
  await app.close();
  return latencies.sort((a, b) => a - b);
}

async function claimLatencyWithHistory(db: DataSource, queue: JobQueue): Promise<{ p50: number; p99: number; bareP99: number }> {
  await admin.query(`TRUNCATE jobs`);
  await admin.query(
    `INSERT INTO jobs (type, payload, status, run_at, claimed_at, completed_at, attempts, outcome, worker_id, created_at, updated_at)
     SELECT 'history', jsonb_build_object('n', g), 'completed', t, t, t, 1, 'completed', 'old-worker', t, t
       FROM generate_series(1, 1000000) AS g, LATERAL (SELECT now() - make_interval(secs => g) AS t) x`,
  );
  await enqueueNoop(queue, 12_000, 'claim_bench');
  await admin.query(`VACUUM ANALYZE jobs`);
  const repo = new JobRepository();
  const full: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 500; i++) {
    let t0 = now();
    const jobs = await queue.claim('claim-bench', 10, 30_000);
    full.push(now() - t0);
    if (jobs.length !== 10) throw new Error('claim bench ran out of jobs');
    t0 = now();
    await repo.claim(db.manager, 'claim-bench-bare', 10, 30_000);
    bare.push(now() - t0);
  }
  full.sort((a, b) => a - b);
  bare.sort((a, b) => a - b);
  return { p50: percentile(full, 50), p99: percentile(full, 99), bareP99: percentile(bare, 99) };
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (only === 'guarded' || only === 'bare' || only === 'runner' || only === 'trickle') {
    // one part alone, for profiling: BENCH_ONLY=guarded|bare|runner|trickle
    const database = await benchDatabase('queue');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const app = await NestFactory.createApplicationContext(QueueBenchWorkerModule.forRoot(baseConfig(database.url, { role: 'api', dbPoolSize: 20 })), { logger: new JsonLogger('error') });
    await app.init();
    const db = app.get<DataSource>(getDataSourceToken());
    if (only === 'guarded') console.log(`guarded: ${JSON.stringify(await guardedRate(database.url))}`);
    if (only === 'bare') console.log(`bare (claim ${BARE_BATCH}, ${BARE_LOOPS} loops): ${JSON.stringify(await bareRate(db))}`);
    if (only === 'runner') console.log(`runner, 1 process × concurrency 10: ${await runnerRate(database.url, db, app.get(JobQueue), 1)} jobs/s`);
    if (only === 'trickle') {
      const other = await trickleLatency(database.url, db, app.get(JobQueue));
      const local = await trickleLatencyInProcess(database.url);
      console.log(`enqueue→start p50/p99 ms: from another process ${percentile(other, 50).toFixed(2)}/${percentile(other, 99).toFixed(2)}; in-process ${percentile(local, 50).toFixed(2)}/${percentile(local, 99).toFixed(2)}`);
    }
    await app.close();
    await admin.end();
    await database.stop();
    return;
  }
  const loadBefore = os.loadavg()[0]!;
  const database = await benchDatabase('queue');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  let app: INestApplicationContext | undefined;
  try {
    // The measuring side: an API-role process (it enqueues and runs nothing; workers are woken by NOTIFY).
    const config = baseConfig(database.url, { role: 'api', dbPoolSize: 20 });
    configureRedactionSecret(config.redactionSecret);
    app = await NestFactory.createApplicationContext(QueueBenchWorkerModule.forRoot(config), { logger: new JsonLogger('error') });
    await app.init();
    const queue = app.get(JobQueue);
    const db = app.get<DataSource>(getDataSourceToken());

    const enqueue = await enqueueRates(queue, db);
    console.log(`enqueue: ${enqueue.single} jobs/s one per transaction (8 callers), ${enqueue.batched} jobs/s in batches of 500`);
    const runner1 = await runnerRate(database.url, db, queue, 1);
    console.log(`runner, 1 process × concurrency 10, no-op handler, audit on: ${runner1} jobs/s (${RUNNER_JOBS} jobs)`);
    const runner2 = await runnerRate(database.url, db, queue, 2);
    console.log(`runner, 2 processes × concurrency 10: ${runner2} jobs/s`);
    const guarded = await guardedRate(database.url);
    console.log(`guarded path, 1 service process × concurrency ${GUARDED_CONCURRENCY} (retry_calendar_sync, provider none: the guard and its audit, nothing after): ${guarded.rate} jobs/s (${GUARDED_JOBS} jobs; outcomes ${JSON.stringify(guarded.outcomes)})`);
    const bare = await bareRate(db);
    console.log(`bare queue (claim 50 + one completion statement per batch, 4 loops, no audit): ${bare.rate} jobs/s (${BARE_JOBS} jobs)`);
    const trickle = await trickleLatency(database.url, db, queue);
    const p50 = +percentile(trickle, 50).toFixed(2);
    const p99 = +percentile(trickle, 99).toFixed(2);
    console.log(`enqueue→start, other process (NOTIFY), idle runner polling every 5 s: p50 ${p50} ms, p99 ${p99} ms, max ${trickle[trickle.length - 1]!.toFixed(2)} ms (${TRICKLE} jobs)`);
    const local = await trickleLatencyInProcess(database.url);
    const localP50 = +percentile(local, 50).toFixed(2);
    const localP99 = +percentile(local, 99).toFixed(2);
    console.log(`enqueue→start, same process (in-process wake): p50 ${localP50} ms, p99 ${localP99} ms`);
    const claim = await claimLatencyWithHistory(db, queue);
    console.log(
      `claim of 10 with 1,000,000 completed jobs in the table: the claim statement p99 ${claim.bareP99.toFixed(2)} ms; the runner's claim transaction (with its audit rows) p50 ${claim.p50.toFixed(2)} ms, p99 ${claim.p99.toFixed(2)} ms`,
    );
    // the reference from the same run, on the same server (BENCH_SKIP_GRAPHILE=1 leaves it out)
    let graphile: GraphileFigures | null = null;
    if (process.env.BENCH_SKIP_GRAPHILE !== '1') {
      graphile = await graphileFigures(database.url, { jobs: RUNNER_JOBS, trickle: TRICKLE });
      console.log(
        `graphile-worker ${graphile.version}, same server: enqueue ${graphile.enqueue_batched_per_s} jobs/s in batches of 500; ${graphile.jobs_per_s_default} jobs/s at concurrency 10 (defaults), ${graphile.jobs_per_s_batched} jobs/s with its batching (local queue 500, batched completion); enqueue→start p50 ${graphile.enqueue_to_start_p50_ms} ms, p99 ${graphile.enqueue_to_start_p99_ms} ms`,
      );
    }
    const loadAfter = os.loadavg()[0]!;
    console.log(`machine: ${machine()}; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
    console.log(
      JSON.stringify({
        name: 'queue',
        guarded_jobs_per_s: guarded.rate,
        guarded_concurrency: Number(GUARDED_CONCURRENCY),
        runner_jobs_per_s: runner1,
        runner_two_process_jobs_per_s: runner2,
        bare_jobs_per_s: bare.rate,
        ...(bare.rejected !== 0 ? { bare_rejected_acks: bare.rejected } : {}),
        enqueue_per_s: enqueue.single,
        enqueue_batched_per_s: enqueue.batched,
        enqueue_to_start_p50_ms: p50,
        enqueue_to_start_p99_ms: p99,
        enqueue_to_start_in_process_p50_ms: localP50,
        enqueue_to_start_in_process_p99_ms: localP99,
        claim_p99_ms_1m_completed: +claim.bareP99.toFixed(2),
        claim_tx_with_audit_p99_ms_1m_completed: +claim.p99.toFixed(2),
        graphile_worker: graphile,
        load_avg_1m: [+loadBefore.toFixed(2), +loadAfter.toFixed(2)],
      }),
    );
  } finally {
    await app?.close();
    await admin.end();
    await database.stop();
  }
}

if (process.argv.includes('--worker')) await worker();
else await main();
