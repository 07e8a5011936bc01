import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { JobRunner } from '../../jobs/job-runner.js';
import { RuntimeInstanceRepository, type InstanceRunnerState, type RuntimeInstanceRow } from './runtime-instance.repository.js';

/** How often an instance publishes its state. */
export const INSTANCE_HEARTBEAT_MS = 2000;
/** An instance is listed while its last heartbeat is younger than this. */
export const INSTANCE_VISIBLE_MS = 10_000;
/** Rows of instances that vanished without deleting theirs are removed after this long. */
const PURGE_AFTER_MS = 3_600_000;
const PURGE_EVERY_BEATS = 30;

/**
 * This process in `runtime_instances`: its row is upserted with the runner's state every ~2 s and
 * deleted at shutdown, so `GET /api/autonomy` can show every live instance of the cluster.
 */
@Injectable()
export class RuntimeInstanceRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RuntimeInstances');
  private readonly startedAt = new Date();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private beats = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly repo: RuntimeInstanceRepository,
    private readonly runner: JobRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** This instance's id: the job runner's worker id (what `jobs.worker_id` names). */
  get instanceId(): string {
    return this.runner.workerId;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), INSTANCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // a heartbeat still under way would put the row back after the delete
    await this.beating;
    await this.repo.delete(this.instanceId).catch((e: unknown) => this.logger.warn(`could not remove this instance's row: ${String(e)}`));
  }

  async list(): Promise<RuntimeInstanceRow[]> {
    return this.repo.listActive(INSTANCE_VISIBLE_MS);
  }

  runnerState(): InstanceRunnerState {
    const s = this.runner.state();
    return {
      running: s.running,
      concurrency: s.concurrency,
      in_flight: s.inFlight,
      poll_interval_ms: s.pollIntervalMs,
      lease_ms: s.leaseMs,
      listening: s.listening,
      last_claim_at: s.lastClaimAt,
    };
  }

  beat(): Promise<void> {
    if (this.stopped || this.beating) return this.beating ?? Promise.resolve();
    this.beating = this.upsert().finally(() => (this.beating = null));
    return this.beating;
  }

  private async upsert(): Promise<void> {
    try {
      await this.repo.upsert({
        instance_id: this.instanceId,
        role: this.config.role,
        hostname: hostname(),
        pid: process.pid,
        started_at: this.startedAt,
        state: this.runnerState(),
      });
      if (++this.beats % PURGE_EVERY_BEATS === 0) await this.repo.purgeOlderThan(PURGE_AFTER_MS);
      if (this.failures > 0) this.logger.log(`instance heartbeat recovered after ${this.failures} failure(s)`);
      this.failures = 0;
    } catch (e) {
      if (this.failures++ % 30 === 0) this.logger.warn(`instance heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
