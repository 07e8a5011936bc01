import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditAppender, type AuditEntry } from './audit-appender.js';

/** How long a fire-and-forget row may wait for company before it is written. */
export const LINGER_MS = 50;
/** Rows per INSERT. */
export const BATCH_ROWS = 500;
/** Bound on memory while the database is unreachable; beyond it fire-and-forget rows are dropped (and logged). */
const MAX_PENDING = 20_000;

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

/** One caller's rows (with its waiter), or fire-and-forget rows (without one). */
interface Group {
  entries: AuditEntry[];
  waiter?: Waiter;
}

/**
 * Audit rows that belong to no business transaction — request audit, policy decisions taken
 * outside a transaction, a tool's result written after its own transaction — written in group
 * commits: every row handed in while one INSERT is under way goes out with the next one, so under
 * load many callers share one statement and one WAL flush, and an idle writer starts at once.
 *
 * - `write` resolves once its rows are committed (and rejects if their INSERT failed);
 * - `add` is fire-and-forget: its rows wait up to LINGER_MS for company (or leave with the next
 *   `write`), and a failure is logged, never thrown.
 *
 * Rows of a change belong in the change's transaction instead (`AuditAppender.append` there).
 */
@Injectable()
export class AuditBatchWriter implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('AuditBatchWriter');
  private pending: Group[] = [];
  private pendingRows = 0;
  private writing: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private soon = false;
  private dropped = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly appender: AuditAppender,
  ) {}

  /** Resolves when the rows are committed; rejects with the INSERT's error. */
  write(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entries: [...entries], waiter: { resolve, reject } });
      this.pendingRows += entries.length;
      this.kick(true);
    });
  }

  /** Fire-and-forget. */
  add(...entries: AuditEntry[]): void {
    if (this.pendingRows + entries.length > MAX_PENDING) {
      this.dropped += entries.length;
      return;
    }
    const last = this.pending[this.pending.length - 1];
    if (last && !last.waiter) last.entries.push(...entries);
    else this.pending.push({ entries });
    this.pendingRows += entries.length;
    this.kick(this.pendingRows >= BATCH_ROWS);
  }

  /** Writes everything handed in so far; resolves when it is written or given up (never rejects). */
  async flush(): Promise<void> {
    while (this.writing || this.pending.length > 0) {
      if (this.writing) await this.writing;
      else this.start();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Rows of requests that finished while the HTTP server was closing; the pool may already be gone. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private kick(now: boolean): void {
    // a write under way starts the next one when it ends
    if (this.writing) return;
    if (now) {
      if (this.soon) return;
      this.soon = true;
      // setImmediate: callers of the same tick share the INSERT
      setImmediate(() => {
        this.soon = false;
        this.start();
      });
    } else {
      this.lingerTimer ??= setTimeout(() => {
        this.lingerTimer = null;
        this.start();
      }, LINGER_MS);
    }
  }

  private start(): void {
    if (this.writing || this.pending.length === 0) return;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const groups = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.writing = this.writeGroups(groups).finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.kick(this.pending.some((g) => g.waiter) || this.pendingRows >= BATCH_ROWS);
    });
  }

  /** Whole groups per INSERT, up to BATCH_ROWS rows (a larger group alone, in chunks). Never throws. */
  private async writeGroups(groups: Group[]): Promise<void> {
    if (this.dropped > 0) {
      this.logger.error(`audit buffer full: ${this.dropped} fire-and-forget audit row(s) dropped`);
      this.dropped = 0;
    }
    let batch: Group[] = [];
    let rows = 0;
    for (const g of groups) {
      if (rows > 0 && rows + g.entries.length > BATCH_ROWS) {
        await this.writeBatch(batch);
        batch = [];
        rows = 0;
      }
      batch.push(g);
      rows += g.entries.length;
    }
    if (batch.length > 0) await this.writeBatch(batch);
  }

  /**
   * One INSERT for the batch. If it fails and holds several callers' rows, each caller's rows are
   * tried alone, so one bad row costs only its own caller.
   */
  private async writeBatch(batch: Group[]): Promise<void> {
    try {
      await this.insert(batch.length === 1 ? batch[0]!.entries : batch.flatMap((g) => g.entries));
      for (const g of batch) g.waiter?.resolve();
      return;
    } catch (e) {
      if (batch.length === 1) return this.failed(batch[0]!, e);
    }
    for (const g of batch) {
      try {
        await this.insert(g.entries);
        g.waiter?.resolve();
      } catch (e) {
        this.failed(g, e);
      }
    }
  }

  private failed(g: Group, e: unknown): void {
    // Logged through the redacting logger; the message names no payload.
    this.logger.error(`could not write ${g.entries.length} audit row(s): ${e instanceof Error ? e.message : String(e)}`);
    g.waiter?.reject(e);
  }

  private async insert(entries: AuditEntry[]): Promise<void> {
    if (!this.db.isInitialized) throw new Error('database closed');
    // each INSERT is atomic on its own: no transaction around them
    for (let i = 0; i < entries.length; i += BATCH_ROWS) {
      await this.appender.append(this.db.manager, entries.length <= BATCH_ROWS ? entries : entries.slice(i, i + BATCH_ROWS));
    }
  }
}
