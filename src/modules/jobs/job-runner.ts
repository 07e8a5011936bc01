import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { ClaimPump } from '../../common/concurrency/claim-pump.js';
import { type SlotPromise, SlotPromises } from '../../common/concurrency/slot-promises.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { jobLeaseMs } from './job-lease.js';
import { JobNotifyListener } from './job-notify.listener.js';
import { JobQueue } from './job-queue.service.js';
import { JobResultBuffer, type JobRunResult } from './job-result.buffer.js';
import { JobSignal, type LocalRunner } from './job-signal.js';
import { JobWakeTimer } from './job-wake.timer.js';
import type { ClaimGate, Job, JobClaim, JobContext, JobExecutor, JobOutcome, JobResult } from './job.types.js';
import { PermanentJobError } from './permanent-job.error.js';

const POLL_INTERVAL = 'job-runner-poll';
/** How long a freed slot waits for others before it is claimed alone (see ClaimPump). */
const CLAIM_GATHER_MS = 2;
const OUTCOMES: readonly JobOutcome[] = ['completed', 'skipped', 'cancelled'];

interface RunningJob {
  job: Job;
  claim: JobClaim;
  abort: AbortController;
  done: Promise<void>;
}

export interface JobRunnerState {
  running: boolean;
  concurrency: number;
  inFlight: number;
  pollIntervalMs: number;
  leaseMs: number;
  listening: boolean;
  lastClaimAt: string | null;
  workerId: string;
}

/**
 * The claim loop. Claims only its free capacity, runs each job through the executor (or straight
 * through its handler), and acknowledges results in batches. Woken by the poll interval, by a
 * NOTIFY from another process, in-process by an enqueue in this process, and by a timer for the
 * earliest known future run_at. A failing job never stops the loop; a lost database makes it back
 * off and recover.
 */
@Injectable()
export class JobRunner implements LocalRunner, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  private readonly logger = new Logger('JobRunner');
  private running = false;
  private stopping: Promise<void> | null = null;
  private readonly inFlight = new Map<string, RunningJob>();
  private readonly results: JobResultBuffer;
  private readonly wakeTimer = new JobWakeTimer(() => this.wake());
  /** Jobs offered in-process since the last claim (see JobSignal). */
  private reserved = 0;
  /** Slots promised to jobs inserted claimed by this runner, until their transaction ends (see JobSignal.handOver). */
  private readonly promised: SlotPromises;
  private gate: ClaimGate | null = null;
  private executor: JobExecutor | null = null;
  private readonly pump: ClaimPump<Job>;
  private lastClaimAt: Date | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly registry: JobHandlerRegistry,
    private readonly signal: JobSignal,
    private readonly listener: JobNotifyListener,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.concurrency = config.agentMaxConcurrentJobs;
    this.pollIntervalMs = config.agentJobPollIntervalMs;
    this.leaseMs = jobLeaseMs(config);
    this.results = new JobResultBuffer(queue, this.workerId, this.logger);
    this.promised = new SlotPromises(this.leaseMs);
    this.pump = new ClaimPump<Job>(
      {
        running: () => this.running,
        free: () => this.free(),
        gate: () => this.gateOpen(),
        claim: (limit) => this.queue.claim(this.workerId, limit, this.leaseMs),
        claimed: (jobs) => {
          this.reserved = 0;
          this.lastClaimAt = new Date();
          for (const job of jobs) this.launch(job);
        },
        describe: (e) => (e instanceof Error ? e.message : String(e)),
      },
      this.logger,
      // under load, freed slots are claimed together: half the capacity at once, or after 2 ms
      { slots: Math.max(1, Math.ceil(this.concurrency / 2)), gatherMs: CLAIM_GATHER_MS },
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** The runtime toggle: consulted before every claim (the master switch is checked first). */
  setClaimGate(gate: ClaimGate | null): void {
    this.gate = gate;
    if (gate) this.wake();
  }

  /** Wraps every run (policy re-check, kill switch); without one, handlers run directly. */
  setExecutor(executor: JobExecutor | null): void {
    this.executor = executor;
  }

  state(): JobRunnerState {
    return {
      running: this.running,
      concurrency: this.concurrency,
      inFlight: this.inFlight.size,
      pollIntervalMs: this.pollIntervalMs,
      leaseMs: this.leaseMs,
      listening: this.listener.listening,
      lastClaimAt: this.lastClaimAt?.toISOString() ?? null,
      workerId: this.workerId,
    };
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.scheduler.addInterval(POLL_INTERVAL, setInterval(() => this.wake(), this.pollIntervalMs));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.signal.attach(this);
    if (this.config.jobListen) this.listener.start({ onJobs: (at) => this.jobsAt(at), onConnected: () => this.wake() });
    this.wake();
  }

  /** Claim now if there is room (a poll tick, a notification, the toggle turned on). */
  wake(): void {
    this.pump.wake();
  }

  /** LocalRunner: jobs became runnable at `runAtMs`. */
  jobsAt(runAtMs: number): void {
    if (runAtMs <= Date.now() + 1) this.wake();
    else if (this.running) this.wakeTimer.at(runAtMs);
  }

  /** LocalRunner: takes `count` jobs due now if its free slots (less those already offered) allow. */
  offer(count: number): boolean {
    if (!this.running || this.reserved + count > this.free()) return false;
    this.reserved += count;
    return true;
  }

  /**
   * LocalRunner: slots for up to `count` jobs inserted already claimed by this runner. None while it
   * is stopping or may not claim (master switch off, runtime toggle off, or a gate it cannot ask
   * synchronously): those jobs are inserted pending and claimed as usual.
   */
  promise(count: number): { workerId: string; leaseMs: number; slots: SlotPromise } | null {
    if (!this.running || !this.config.autonomyEnabled) return null;
    if (this.gate && this.gate() !== true) return null;
    const n = Math.min(count, this.free() - this.reserved);
    return n > 0 ? { workerId: this.workerId, leaseMs: this.leaseMs, slots: this.promised.make(n) } : null;
  }

  /** LocalRunner: the transaction that claimed `jobs` for this runner committed: they start now. */
  adopt(slots: SlotPromise, jobs: readonly Job[]): void {
    this.promised.settle(slots);
    if (!this.running) {
      // stopping: give them back (pending again, the attempt not counted), like unfinished jobs
      const claims = jobs.map((j) => ({ id: j.id, attempt: j.attempts }));
      if (claims.length > 0) {
        void this.queue.release(this.workerId, claims, 'worker shutting down').catch((e: unknown) => this.logger.warn(`could not release ${claims.length} job(s) handed over during shutdown (their leases will expire): ${String(e)}`));
      }
      return;
    }
    if (jobs.length > 0) this.lastClaimAt = new Date();
    for (const job of jobs) this.launch(job);
    if (jobs.length < slots.count) this.pump.slotFreed();
  }

  /** LocalRunner: the transaction that was to hand jobs over did not commit. */
  unpromise(slots: SlotPromise): void {
    if (this.promised.settle(slots)) this.pump.slotFreed();
  }

  /** Stops claiming, lets in-flight jobs finish up to the grace deadline, releases the rest. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    if (!wasRunning) return;
    if (this.scheduler.doesExist('interval', POLL_INTERVAL)) this.scheduler.deleteInterval(POLL_INTERVAL);
    this.wakeTimer.stop();
    this.signal.detach(this);
    await this.listener.stop();
    await this.pump.stop();

    const grace = this.config.agentJobShutdownGraceMs;
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()].map((r) => r.done)),
        new Promise<void>((r) => (timer = setTimeout(r, grace))),
      ]);
      clearTimeout(timer);
    }
    const unfinished = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const r of unfinished) r.abort.abort(new Error('worker shutting down'));
    await Promise.all([
      this.results.drain(Date.now() + Math.max(2000, grace)),
      unfinished.length > 0
        ? this.queue.release(this.workerId, unfinished.map((r) => r.claim)).then(
            (jobs) => this.logger.log(`released ${jobs.length} unfinished job(s) at shutdown`),
            (e: unknown) => this.logger.warn(`could not release ${unfinished.length} job(s) at shutdown (their leases will expire): ${String(e)}`),
          )
        : undefined,
    ]);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  /** Slots neither running a job nor promised to one being handed over. */
  private free(): number {
    return this.concurrency - this.inFlight.size - this.promised.count();
  }

  private async gateOpen(): Promise<boolean> {
    if (!this.config.autonomyEnabled) return false;
    if (!this.gate) return true;
    try {
      return (await this.gate()) === true;
    } catch (e) {
      this.logger.warn(`claim gate failed (claiming nothing): ${String(e)}`);
      return false;
    }
  }

  private launch(job: Job): void {
    const claim: JobClaim = { id: job.id, attempt: job.attempts };
    const abort = new AbortController();
    const ctx: JobContext = {
      workerId: this.workerId,
      attempt: job.attempts,
      shadow: job.shadow,
      context: { correlationId: job.correlation_id ?? `job-${job.id}`, actor: `worker:${this.workerId}` },
      signal: abort.signal,
      heartbeat: async (ms?: number) => (await this.queue.extendLeases(this.workerId, [claim], ms ?? this.leaseMs)).has(job.id),
    };
    const running: RunningJob = { job, claim, abort, done: Promise.resolve() };
    this.inFlight.set(job.id, running);
    running.done = this.run(job, ctx).then((result) => this.finished(running, result));
  }

  private async run(job: Job, ctx: JobContext): Promise<JobRunResult> {
    const handler = this.registry.get(job.type);
    if (!handler) return { ok: false, error: `unregistered job type "${job.type}"`, permanent: true };
    try {
      const result = await (this.executor ? this.executor(job, handler, ctx) : handler(job, ctx));
      return this.toResult(result);
    } catch (e) {
      const message = e instanceof Error ? e.message || e.name : String(e);
      return { ok: false, error: message, permanent: e instanceof PermanentJobError };
    }
  }

  private toResult(result: JobResult | void): JobRunResult {
    if (result === undefined || result === null) return { ok: true, outcome: 'completed', reason: null };
    if (typeof result === 'object' && OUTCOMES.includes(result.outcome)) {
      return { ok: true, outcome: result.outcome, reason: typeof result.reason === 'string' ? result.reason : null, audit: Array.isArray(result.audit) ? result.audit : undefined };
    }
    return { ok: false, error: 'handler returned an invalid result (expected {outcome: completed|skipped|cancelled})', permanent: true };
  }

  private finished(running: RunningJob, result: JobRunResult): void {
    // Released at shutdown or lease lost: another worker owns the job now.
    if (this.inFlight.get(running.job.id) !== running) return;
    this.inFlight.delete(running.job.id);
    // Recorded in their own transaction, beside the next claim rather than inside it: measured,
    // that keeps the claim (the runner's critical path) shorter than one commit for both.
    this.results.add(running.claim, result);
    this.pump.slotFreed();
  }

  /** Renews the leases of running and not yet recorded jobs; a job whose lease was lost is abandoned. */
  private async heartbeat(): Promise<void> {
    if (this.heartbeating || (this.inFlight.size === 0 && this.results.size === 0)) return;
    this.heartbeating = true;
    const running = [...this.inFlight.values()];
    try {
      const held = await this.queue.extendLeases(this.workerId, [...running.map((r) => r.claim), ...this.results.claims()], this.leaseMs);
      for (const r of running) {
        if (held.has(r.job.id) || this.inFlight.get(r.job.id) !== r) continue;
        this.inFlight.delete(r.job.id);
        r.abort.abort(new Error('lease lost'));
        this.logger.warn(`lost the lease of job ${r.job.id} (${r.job.type}); abandoning it`);
        this.wake();
      }
    } catch (e) {
      this.logger.warn(`lease heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.heartbeating = false;
    }
  }
}
