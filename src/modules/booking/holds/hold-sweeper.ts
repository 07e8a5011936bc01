import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { ADVISORY_LOCKS, tryAdvisoryXactLock } from '../../../common/database/advisory-lock.js';
import { UnitOfWork } from '../../../common/events/unit-of-work.js';
import { SYSTEM_CONTEXT } from '../../../common/http/request-context.js';
import { HoldService } from './hold.service.js';

/** Interval sweeper expiring holds past their TTL; one instance at a time (advisory lock). */
@Injectable()
export class HoldSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HoldSweeper');
  private running = false;
  private stopped = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly holds: HoldService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.scheduler.addInterval('hold-sweeper', setInterval(() => void this.sweep(), this.config.holdSweepIntervalMs));
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  async sweep(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      return await this.uow.run({ context: SYSTEM_CONTEXT }, async (tx) => {
        if (!(await tryAdvisoryXactLock(tx.manager, ADVISORY_LOCKS.holdSweeper))) return 0;
        return this.holds.expireDue(tx);
      });
    } catch (e) {
      this.logger.warn(`hold sweep failed: ${String(e)}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
