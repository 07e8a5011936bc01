import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { ADVISORY_LOCKS, tryAdvisoryXactLock } from '../../../common/database/advisory-lock.js';
import type { ChainKey } from '../audit.types.js';
import { AuditChainRepository, type ChainHead, type SealedRow } from './audit-chain.repository.js';
import { chainHash, GENESIS_HASH } from './audit-hash.js';

export const SEAL_INTERVAL_MS = 200;
/**
 * Rows sealed per transaction (one SELECT, one UPDATE). Parsing and hashing a batch holds the event
 * loop: 1,000 rows stalled it up to ~25 ms under the guarded queue load, 250 about 15 ms.
 */
export const SEAL_BATCH = 250;
/** Passes per tick at most, so one tick cannot hold the instance forever. */
const MAX_PASSES = 200;

export interface SealResult {
  sealed: number;
  /** Another instance held the sealer lock, so this one sealed nothing. */
  busy: boolean;
}

/**
 * Gives each audit row, appended with a NULL hash inside its business transaction, its place in
 * its tenant's hash chain: `chain_seq`, `prev_hash` and `hash = sha256(prev_hash ‖ canonical row)`.
 * A cluster singleton (advisory lock), so rows are chained in seal order and concurrent inserts can
 * never fork a chain.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditSealer');
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Passes running or queued in this process. */
  private queued = 0;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
        const r = await this.db.transaction((m) => this.sealBatch(m, opts.wait === true));
        if (r.busy) return { sealed, busy: true };
        sealed += r.sealed;
        if (r.sealed < SEAL_BATCH) break;
      }
      return { sealed, busy: false };
    });
  }

  private async sealBatch(m: EntityManager, wait: boolean): Promise<SealResult> {
    if (wait) await m.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.auditSealer]);
    else if (!(await tryAdvisoryXactLock(m, ADVISORY_LOCKS.auditSealer))) return { sealed: 0, busy: true };
    const rows = await this.chain.unsealed(m, SEAL_BATCH);
    if (rows.length === 0) return { sealed: 0, busy: false };
    const keys = [...new Set<ChainKey>(rows.map((r) => r.tenant_id))];
    const heads = await this.chain.heads(m, keys);
    const sealed: SealedRow[] = rows.map((row) => {
      const head: ChainHead = heads.get(row.tenant_id) ?? { chainSeq: 0, hash: GENESIS_HASH };
      const next: SealedRow = { id: row.id, chainSeq: head.chainSeq + 1, prevHash: head.hash, hash: chainHash(head.hash, row) };
      heads.set(row.tenant_id, { chainSeq: next.chainSeq, hash: next.hash });
      return next;
    });
    const updated = await this.chain.seal(m, sealed);
    // Under the lock nobody else seals; a mismatch means the table changed under us: roll back.
    if (updated !== sealed.length) throw new Error(`sealed ${updated} of ${sealed.length} audit rows; rolled back`);
    return { sealed: updated, busy: false };
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
