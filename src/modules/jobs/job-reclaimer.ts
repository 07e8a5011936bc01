import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { jobLeaseMs } from './job-lease.js';
import { JobQueue } from './job-queue.service.js';

const BATCH = 500;

/**
 * Returns claims whose lease ran out (their worker died or hung) to the queue. A cluster singleton:
 * each pass holds the reclaimer advisory lock, so several instances do not repeat it.
 */
@Injectable()
export class JobReclaimer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JobReclaimer');
  private running = false;
  private stopped = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Half a lease, so an expired claim waits at most 1.5 leases; bounded to stay cheap and prompt. */
  get intervalMs(): number {
    return Math.min(15_000, Math.max(200, Math.floor(jobLeaseMs(this.config) / 2)));
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.scheduler.addInterval('job-reclaimer', setInterval(() => void this.sweep(), this.intervalMs));
    void this.sweep();
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  async sweep(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    let total = 0;
    try {
      for (;;) {
        const jobs = await this.queue.reclaimExpired(BATCH);
        total += jobs.length;
        if (jobs.length < BATCH || this.stopped) break;
      }
      if (total > 0) this.logger.warn(`reclaimed ${total} job(s) whose worker lost its lease`);
      return total;
    } catch (e) {
      this.logger.warn(`reclaim pass failed: ${e instanceof Error ? e.message : String(e)}`);
      return total;
    } finally {
      this.running = false;
    }
  }
}
