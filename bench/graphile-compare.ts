import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, makeWorkerUtils, run, type LogFunctionFactory, type RunnerOptions, type TaskList, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import { benchDatabase, machine, percentile } from './bench-support.js';

/**
 * graphile-worker 0.17.3 on the same PostgreSQL, measured with its public API only, as the
 * reference for our queue's figures (bench/queue.bench.ts):
 * - `enqueue_batched_per_s`: `WorkerUtils.addJobs` in batches of 500 from 2 callers (ours: `enqueueMany`
 *   in batches of 500 from 2 callers → `enqueue_batched_per_s`);
 * - `jobs_per_s_default`: one `run()` runner in this process, `concurrentJobs: 10`, otherwise default
 *   options (pool of 10), no-op task, from the `run()` call to an empty jobs table (ours:
 *   `runner_jobs_per_s`, whose runner also writes audit rows, so it does more per job);
 * - `jobs_per_s_batched`: the same with its batching on, as its performance page configures it
 *   (`localQueue: { size: 500 }`, `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`) (closest to ours:
 *   `bare_jobs_per_s`, a batched claim and completion);
 * - `enqueue_to_start_*`: a trickle of single `WorkerUtils.addJob` calls, 5–25 ms apart, into an idle
 *   runner polling every 5 s; graphile wakes only by LISTEN/NOTIFY, also within one process (ours:
 *   `enqueue_to_start_*`, other process, NOTIFY). `quickAddJob` is not used: it opens and closes a pool
 *   per call.
 * Completed graphile jobs are deleted, so an empty `graphile_worker._private_jobs` means all completed.
 */
export interface GraphileFigures {
  version: '0.17.3';
  enqueue_batched_per_s: number;
  jobs_per_s_default: number;
  jobs_per_s_batched: number | null;
  enqueue_to_start_p50_ms: number;
  enqueue_to_start_p99_ms: number;
}

const BATCH = 500;
const DRAIN_TIMEOUT_MS = 300_000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Warnings and errors go to stderr; graphile's info and debug lines are dropped. */
const quietLogFactory: LogFunctionFactory = (scope) => (level: string, message: string) => {
  if (level === 'error' || level === 'warning') console.error(`graphile-worker ${level}${scope.label ? ` [${scope.label}]` : ''}: ${message}`);
};
const logger = new Logger(quietLogFactory);

async function leftInQueue(utils: WorkerUtils): Promise<number> {
  const { rows } = await utils.withPgClient((c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`));
  return rows[0]!.n;
}

/** Until the jobs table is empty (an index probe, as in queue.bench.ts's waitForDrained). */
async function waitForEmpty(utils: WorkerUtils, deadline: number): Promise<void> {
  for (;;) {
    const { rows } = await utils.withPgClient((c) => c.query(`SELECT 1 FROM graphile_worker._private_jobs LIMIT 1`));
    if (rows.length === 0) return;
    if (Date.now() > deadline) throw new Error('graphile: jobs left in the queue after the deadline');
    await sleep(10);
  }
}

/** `jobs` no-op jobs via addJobs, batches of 500 from 2 callers; returns jobs/s. */
async function enqueueNoop(utils: WorkerUtils, jobs: number): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let from = next; from < jobs; from = next) {
        next += BATCH;
        const size = Math.min(BATCH, jobs - from);
        await utils.addJobs(Array.from({ length: size }, (_, k) => ({ identifier: 'noop', payload: { n: from + k } })));
      }
    }),
  );
  return Math.round(jobs / ((now() - t0) / 1000));
}

function runnerOptions(databaseUrl: string, taskList: TaskList, worker: GraphileConfig.WorkerOptions, events?: WorkerEvents): RunnerOptions {
  return {
    taskList,
    parsedCronItems: [], // no crontab file lookup in the working directory
    noHandleSignals: true,
    ...(events ? { events } : {}),
    preset: { worker: { connectionString: databaseUrl, logger, ...worker } },
  };
}

/** The queued no-op jobs through one runner; from the `run()` call to an empty table. */
async function drainRate(databaseUrl: string, utils: WorkerUtils, jobs: number, worker: GraphileConfig.WorkerOptions): Promise<number> {
  let done = 0;
  let allRan!: () => void;
  const ran = new Promise<void>((r) => (allRan = r));
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`graphile: ${done} of ${jobs} jobs ran before the deadline`)), DRAIN_TIMEOUT_MS);
  });
  const t0 = now();
  const runner = await run(
    runnerOptions(databaseUrl, {
      noop: () => {
        if (++done === jobs) allRan();
      },
    }, worker),
  );
  let rate: number;
  try {
    await Promise.race([ran, timedOut]);
    await waitForEmpty(utils, deadline);
    rate = jobs / ((now() - t0) / 1000);
  } finally {
    clearTimeout(timer);
    await runner.stop();
  }
  const left = await leftInQueue(utils);
  if (done !== jobs || left !== 0) throw new Error(`graphile: the task ran ${done} times for ${jobs} jobs, ${left} left in the queue`);
  return Math.round(rate);
}

/** Single jobs 5–25 ms apart into an idle runner (poll 5 s), from just before `addJob` to the task's start. */
async function trickleLatency(databaseUrl: string, utils: WorkerUtils, jobs: number): Promise<number[]> {
  const waiters = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  const events: WorkerEvents = new EventEmitter();
  const listening = new Promise<void>((r) => events.once('pool:listen:success', () => r()));
  const runner = await run(
    runnerOptions(databaseUrl, {
      trickle: (_payload, helpers) => {
        const at = now();
        const id = helpers.job.id;
        const w = waiters.get(id);
        if (w) w(at);
        else early.set(id, at);
      },
    }, { concurrentJobs: 10, pollInterval: 5000 }, events),
  );
  try {
    await listening;
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < jobs; i++) {
      const t0 = now();
      const { id } = await utils.addJob('trickle', { i });
      const at = early.get(id) ?? (await new Promise<number>((r) => waiters.set(id, r)));
      latencies.push(at - t0);
      await sleep(5 + Math.random() * 20);
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    await runner.stop();
  }
}

export async function graphileFigures(databaseUrl: string, opts: { jobs?: number; trickle?: number } = {}): Promise<GraphileFigures> {
  const jobs = opts.jobs ?? 20_000;
  const trickle = opts.trickle ?? 200;
  const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger });
  try {
    await utils.migrate(); // installs the graphile_worker schema, so no run below pays for it
    const enqueueRate = await enqueueNoop(utils, jobs);
    const defaultRate = await drainRate(databaseUrl, utils, jobs, { concurrentJobs: 10 });
    await enqueueNoop(utils, jobs);
    const batchedRate = await drainRate(databaseUrl, utils, jobs, {
      concurrentJobs: 10,
      localQueue: { size: 500 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    });
    const latencies = await trickleLatency(databaseUrl, utils, trickle);
    return {
      version: '0.17.3',
      enqueue_batched_per_s: enqueueRate,
      jobs_per_s_default: defaultRate,
      jobs_per_s_batched: batchedRate,
      enqueue_to_start_p50_ms: +percentile(latencies, 50).toFixed(2),
      enqueue_to_start_p99_ms: +percentile(latencies, 99).toFixed(2),
    };
  } finally {
    await utils.release();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const database = await benchDatabase('graphile');
  try {
    const f = await graphileFigures(database.url);
    console.log(`graphile-worker ${f.version}: enqueue ${f.enqueue_batched_per_s} jobs/s in batches of 500 (2 callers)`);
    console.log(`graphile-worker runner, concurrency 10, no-op task: ${f.jobs_per_s_default} jobs/s default, ${f.jobs_per_s_batched} jobs/s with localQueue 500 + batched completion`);
    console.log(`graphile-worker enqueue→start (NOTIFY), idle runner polling every 5 s: p50 ${f.enqueue_to_start_p50_ms} ms, p99 ${f.enqueue_to_start_p99_ms} ms`);
    console.log(`machine: ${machine()}`);
    console.log(JSON.stringify({ name: 'graphile', ...f }));
  } finally {
    await database.stop();
  }
}
