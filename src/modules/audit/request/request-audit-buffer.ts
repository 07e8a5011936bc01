import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditAppender, type AuditEntry } from '../../../common/audit/audit-appender.js';

export const FLUSH_MS = 50;
export const FLUSH_ROWS = 200;
/** Bound on memory while the database is unreachable; beyond it new rows are dropped (and logged). */
const MAX_PENDING = 20_000;

/**
 * Request audit rows wait here briefly and are written in batches, each batch in one multi-row
 * INSERT, so a request never waits on its audit row and an audit failure never fails it.
 */
@Injectable()
export class RequestAuditBuffer implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('RequestAudit');
  private pending: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly appender: AuditAppender,
  ) {}

  add(entry: AuditEntry): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(entry);
    if (this.pending.length >= FLUSH_ROWS) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; resolves when it (and every earlier batch) was written or given up. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Requests that finished while the HTTP server was closing; the pool may already be gone. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(batch: AuditEntry[]): Promise<void> {
    if (this.dropped > 0) {
      this.logger.error(`request audit buffer full: ${this.dropped} audit row(s) dropped`);
      this.dropped = 0;
    }
    if (!this.db.isInitialized) {
      this.logger.error(`database closed: ${batch.length} request audit row(s) not written`);
      return;
    }
    for (let i = 0; i < batch.length; i += FLUSH_ROWS) {
      const chunk = batch.slice(i, i + FLUSH_ROWS);
      try {
        // one INSERT is atomic on its own: no transaction around it
        await this.appender.append(this.db.manager, chunk);
      } catch (e) {
        // Logged through the redacting logger; the message names no payload.
        this.logger.error(`could not write ${chunk.length} request audit row(s): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
