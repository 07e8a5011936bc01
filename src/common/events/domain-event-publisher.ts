import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DomainEvent } from './domain-events.js';

const FLUSH_MS = 20;

/**
 * Hands committed events to the in-process listeners. When every listener finished, the event is
 * marked processed (in coalesced batches); when one failed, the event stays unprocessed with a
 * backoff, and the relay hands it over again later.
 */
@Injectable()
export class DomainEventPublisher implements OnModuleDestroy {
  private readonly logger = new Logger('DomainEvents');
  private processed: string[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<boolean>>();

  constructor(
    private readonly emitter: EventEmitter2,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Fire and forget: publishing never delays or fails the request that committed the events. */
  publish(events: readonly DomainEvent[]): void {
    for (const event of events) {
      const p = this.deliver(event).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Delivers one event and waits for its listeners; used by the relay. */
  async deliver(event: DomainEvent): Promise<boolean> {
    try {
      await this.emitter.emitAsync(event.type, event);
      this.markProcessed(event.id);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(`handler failed for ${event.type} ${event.id}: ${message}`);
      await this.db
        .query(
          `UPDATE domain_events
              SET publish_attempts = publish_attempts + 1,
                  next_attempt_at = now() + make_interval(secs => least(300, power(2, publish_attempts + 1))),
                  last_error = left($2, 2000)
            WHERE id = $1`,
          [event.id, message],
        )
        .catch(() => undefined);
      return false;
    }
  }

  private markProcessed(id: string): void {
    this.processed.push(id);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const ids = this.processed;
    this.processed = [];
    if (ids.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.db
        .query(`UPDATE domain_events SET processed_at = now() WHERE id = ANY($1::uuid[]) AND processed_at IS NULL`, [ids])
        .then(() => undefined)
        // Not fatal: the relay re-delivers and the handlers' ledger makes that a no-op.
        .catch((e: unknown) => this.logger.warn(`could not mark ${ids.length} events processed: ${String(e)}`)),
    );
    return this.flushing;
  }

  /** Waits for deliveries under way and writes the pending processed marks. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.flush();
  }

  async onModuleDestroy(): Promise<void> {
    await this.drain();
  }
}
