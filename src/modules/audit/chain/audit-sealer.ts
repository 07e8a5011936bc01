import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { AuditChainRepository } from './audit-chain.repository.js';

export const SEAL_INTERVAL_MS = 200;
/**
 * Rows sealed per statement. PostgreSQL seals them (`audit_seal`, migration 010) while holding the
 * sealer's lock, so a batch bounds how long the sealer holds its lock and its row locks.
 */
export const SEAL_BATCH = 500;
/** Passes per tick at most, so one tick cannot hold the instance forever. */
const MAX_PASSES = 200;

export interface SealResult {
  sealed: number;
  /** Another instance held the sealer lock, so this one sealed nothing. */
  busy: boolean;
}

/**
 * Gives each audit row, appended with a NULL hash inside its business transaction, its place in
 * its tenant's hash chain: `chain_seq`, `prev_hash` and `hash = sha256(prev_hash ‖ content)`, where
 * the content is `audit_row_content(row)`. The hashing runs in PostgreSQL (`audit_seal`), so the
 * rows never travel to this process and its event loop never stalls on them. A cluster singleton
 * (advisory lock), so rows are chained in seal order and concurrent inserts can never fork a chain.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditSealer');
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Passes running or queued in this process. */
  private queued = 0;
  private stopped = false;

  constructor(
    private readonly chain: AuditChainRepository,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.scheduler.addInterval('audit-sealer', setInterval(() => void this.tick(), SEAL_INTERVAL_MS));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.exclusive.catch(() => undefined);
  }

  /** The interval's work: skipped while a pass is still running; failures are logged, not thrown. */
  async tick(): Promise<void> {
    if (this.queued > 0 || this.stopped) return;
    try {
      await this.sealPending();
    } catch (e) {
      this.logger.warn(`audit sealing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Seals every unsealed row visible now, in batches. With `wait`, waits for another instance's
   * pass to finish instead of leaving the work to it (the verifier wants a sealed table).
   */
  async sealPending(opts: { wait?: boolean } = {}): Promise<SealResult> {
    return this.runExclusive(async () => {
      let sealed = 0;
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const n = await this.chain.sealBatch(SEAL_BATCH, opts.wait === true);
        if (n < 0) return { sealed, busy: true };
        sealed += n;
        if (n < SEAL_BATCH) break;
      }
      return { sealed, busy: false };
    });
  }

  private runExclusive<T>(work: () => Promise<T>): Promise<T> {
    this.queued++;
    const run = this.exclusive.then(work).finally(() => {
      this.queued--;
    });
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}
