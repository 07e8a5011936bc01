import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { JobQueue } from './job-queue.service.js';

const INTERVAL_MS = 10 * 60_000;
const FIRST_RUN_MS = 30_000;

/**
 * Deletes completed and cancelled jobs older than JOB_RETENTION_DAYS, in batches (their audit
 * rows stay). A cluster singleton: each batch holds the retention advisory lock.
 */
@Injectable()
export class JobRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JobRetention');
  private running = false;
  private stopped = false;
  private first: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.scheduler.addInterval('job-retention', setInterval(() => void this.sweep(), INTERVAL_MS));
    this.first = setTimeout(() => void this.sweep(), FIRST_RUN_MS);
    this.first.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.first) clearTimeout(this.first);
  }

  async sweep(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      const n = await this.queue.purgeFinished(this.config.jobRetentionDays);
      if (n > 0) this.logger.log(`deleted ${n} finished job(s) older than ${this.config.jobRetentionDays} day(s)`);
      return n;
    } catch (e) {
      this.logger.warn(`retention pass failed: ${e instanceof Error ? e.message : String(e)}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
