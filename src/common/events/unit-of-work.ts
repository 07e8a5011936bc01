import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditColumns, auditInsertSql, type AuditEntry } from '../audit/audit-appender.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DEADLOCK_DETECTED, pgCode, SERIALIZATION_FAILURE } from '../database/pg-errors.js';
import { beginTransaction, finishTransaction, type Isolation } from '../database/query-runner-transactions.js';
import type { RequestContext } from '../http/request-context.js';
import { redactPII } from '../redaction/index.js';
import { DomainEventPublisher } from './domain-event-publisher.js';
import { eventEntity, type DomainEvent, type DomainEventMap, type DomainEventName } from './domain-events.js';


export interface UnitOfWorkOptions {
  isolation?: Isolation;
  /** Attempts on serialization failures and deadlocks (40001, 40P01). */
  attempts?: number;
  /** Who asked, and the request or job it belongs to: on every event and audit row of the transaction. */
  context: RequestContext;
}

/** The transaction a use case runs in: its changes, their domain events and audit rows commit together. */
export class Tx {
  readonly events: DomainEvent[] = [];
  private readonly audits: AuditEntry[] = [];

  constructor(
    readonly manager: EntityManager,
    readonly actor: string,
    readonly correlationId: string | null,
  ) {}

  /**
   * Records a domain event: its `domain_events` row and audit row are written with this transaction
   * (in one statement at commit time, together with the other audit rows).
   */
  async record<K extends DomainEventName>(type: K, tenantId: string | null, payload: DomainEventMap[K]): Promise<DomainEvent<K>> {
    const stored = redactPII(payload);
    const event: DomainEvent<K> = {
      id: randomUUID(),
      type,
      tenant_id: tenantId,
      payload: stored,
      correlation_id: this.correlationId,
      occurred_at: new Date().toISOString(),
    };
    this.events.push(event as DomainEvent);
    const entity = eventEntity(type, payload);
    this.audits.push({
      tenant_id: tenantId,
      event_type: `event.${type}`,
      entity_type: entity.type,
      entity_id: entity.id,
      actor: this.actor,
      payload: { event_id: event.id, ...stored },
      payloadRedacted: true,
      correlation_id: this.correlationId,
    });
    return event;
  }

  /** Adds an audit row that commits with this transaction. */
  audit(entry: Omit<AuditEntry, 'actor' | 'correlation_id'> & { actor?: string }): void {
    this.audits.push({ actor: this.actor, correlation_id: this.correlationId, ...entry });
  }

  /** @internal Writes the recorded events and all audit rows in one statement. */
  async flush(): Promise<void> {
    if (this.events.length === 0) {
      if (this.audits.length > 0) await this.manager.query(auditInsertSql(1), auditColumns(this.audits));
      return;
    }
    const e = this.events;
    await this.manager.query(
      `WITH ev AS (INSERT INTO domain_events (id, tenant_id, type, payload, correlation_id)
                   SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[]))
       ${auditInsertSql(6)}`,
      [e.map((x) => x.id), e.map((x) => x.tenant_id), e.map((x) => x.type), e.map((x) => JSON.stringify(x.payload)), e.map((x) => x.correlation_id), ...auditColumns(this.audits)],
    );
  }
}

/**
 * Opens the transaction at the service boundary, retries it on serialization failures, and after
 * the commit publishes its events in-process. A rolled-back transaction leaves no event.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: DomainEventPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run<T>(opts: UnitOfWorkOptions, work: (tx: Tx) => Promise<T>): Promise<T> {
    const isolation = opts.isolation ?? 'READ COMMITTED';
    const attempts = opts.attempts ?? 8;
    const { actor, correlationId } = opts.context;
    for (let attempt = 1; ; attempt++) {
      let tx: Tx | undefined;
      try {
        // TypeORM's transaction (its after-commit subscribers see the real commit), opened in one round trip
        const qr = await beginTransaction(this.db, isolation);
        // the events and audit rows go out with the COMMIT (one round trip for both)
        const result = await finishTransaction(
          qr,
          () => {
            tx = new Tx(qr.manager, actor, correlationId);
            return work(tx);
          },
          () => tx!.flush(),
        );
        const events = tx!.events;
        if (events.length > 0) {
          if (this.config.faultInject === 'crash_after_booking_commit' && events.some((e) => e.type === 'BookingCreated')) {
            // Fault injection for the durability test: die between the commit and the handlers.
            process.kill(process.pid, 'SIGKILL');
          }
          this.publisher.publish(events);
        }
        return result;
      } catch (err) {
        const code = pgCode(err);
        const retryable = code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
        if (!retryable || attempt >= attempts) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
  }
}
