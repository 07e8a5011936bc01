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

/** Events prepared for a statement that writes them itself (see `Tx.prepare`). */
export interface PreparedEvents {
  readonly events: readonly DomainEvent[];
  readonly audits: readonly AuditEntry[];
}

/**
 * The CTEs `ev` and `au` writing `prepared`'s event rows and audit rows, parameters from `$first`
 * on (`preparedParams`); with `when` (an SQL condition), only if it holds.
 */
export function preparedEventsSql(first: number, when = 'true'): string {
  const p = (i: number) => `$${first + i}`;
  return `ev AS (INSERT INTO domain_events (id, tenant_id, type, payload, correlation_id)
                 SELECT * FROM unnest(${p(0)}::uuid[], ${p(1)}::uuid[], ${p(2)}::text[], ${p(3)}::jsonb[], ${p(4)}::text[]) WHERE ${when}),
          au AS (${auditInsertSql(first + 5)} WHERE ${when})`;
}

/** The parameters of `preparedEventsSql`, in order. */
export function preparedParams(prepared: PreparedEvents): unknown[] {
  const e = prepared.events;
  return [e.map((x) => x.id), e.map((x) => x.tenant_id), e.map((x) => x.type), e.map((x) => JSON.stringify(x.payload)), e.map((x) => x.correlation_id), ...auditColumns(prepared.audits)];
}

/** The result of a transaction's final statement (see `Tx.commitWith`), once it has committed. */
export class Final<R> {
  constructor(readonly settled: Promise<R>) {}
}

/** The transaction a use case runs in: its changes, their domain events and audit rows commit together. */
export class Tx {
  /** Every event of the transaction: published once it has committed. */
  readonly events: DomainEvent[] = [];
  /** Recorded events and audit rows not written yet: `flush` writes them with the COMMIT. */
  private readonly pending: { events: DomainEvent[]; audits: AuditEntry[] } = { events: [], audits: [] };
  private final: (() => Promise<unknown>) | null = null;

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
    const prepared = this.prepare(type, tenantId, payload);
    this.pending.events.push(...prepared.events);
    this.pending.audits.push(...prepared.audits);
    this.events.push(...prepared.events);
    return prepared.events[0] as DomainEvent<K>;
  }

  /**
   * An event (and its audit row) for a statement of the caller to write itself (`preparedEventsSql`),
   * so the change and its event leave in one statement. Published only if handed to `written`.
   */
  prepare<K extends DomainEventName>(type: K, tenantId: string | null, payload: DomainEventMap[K]): PreparedEvents {
    const stored = redactPII(payload);
    const event: DomainEvent<K> = {
      id: randomUUID(),
      type,
      tenant_id: tenantId,
      payload: stored,
      correlation_id: this.correlationId,
      occurred_at: new Date().toISOString(),
    };
    const entity = eventEntity(type, payload);
    const audit: AuditEntry = {
      tenant_id: tenantId,
      event_type: `event.${type}`,
      entity_type: entity.type,
      entity_id: entity.id,
      actor: this.actor,
      payload: { event_id: event.id, ...stored },
      payloadRedacted: true,
      correlation_id: this.correlationId,
    };
    return { events: [event as DomainEvent], audits: [audit] };
  }

  /** The prepared events a statement wrote: published after the commit like recorded ones. */
  written(prepared: PreparedEvents): void {
    this.events.push(...prepared.events);
  }

  /** Adds an audit row that commits with this transaction. */
  audit(entry: Omit<AuditEntry, 'actor' | 'correlation_id'> & { actor?: string }): void {
    this.pending.audits.push({ actor: this.actor, correlation_id: this.correlationId, ...entry });
  }

  /**
   * Makes `statement` (one statement) the transaction's last: it goes out with the COMMIT, and with
   * the opening too when nothing ran before it (a transaction in one round trip). The work returns
   * the answer (`return tx.commitWith(…)`); `run` resolves to the statement's result once committed.
   * The statement writes its events itself (`prepare`, `written`): nothing may be recorded for `flush`.
   */
  commitWith<R>(statement: () => Promise<R>): Final<R> {
    if (this.final) throw new Error('a transaction has one last statement');
    let settle!: { resolve: (r: R) => void; reject: (e: unknown) => void };
    const settled = new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
    settled.catch(() => undefined);
    this.final = () => statement().then(settle.resolve, (e: unknown) => {
      settle.reject(e);
      throw e;
    });
    return new Final(settled);
  }

  /** @internal Writes the recorded events and all audit rows in one statement (or runs the last statement). */
  async flush(): Promise<void> {
    const { events, audits } = this.pending;
    if (this.final) {
      if (events.length > 0 || audits.length > 0) throw new Error('a transaction that ends with its own statement writes its events in it (Tx.prepare)');
      await this.final();
      return;
    }
    if (events.length === 0) {
      if (audits.length > 0) await this.manager.query(auditInsertSql(1), auditColumns(audits));
      return;
    }
    await this.manager.query(`WITH ${preparedEventsSql(1)} SELECT 1`, preparedParams(this.pending));
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

  async run<T>(opts: UnitOfWorkOptions, work: (tx: Tx) => Promise<T | Final<T>>): Promise<T> {
    const isolation = opts.isolation ?? 'READ COMMITTED';
    const attempts = opts.attempts ?? 8;
    const { actor, correlationId } = opts.context;
    for (let attempt = 1; ; attempt++) {
      let tx: Tx | undefined;
      try {
        // TypeORM's transaction (its after-commit subscribers see the real commit), opened in one round trip
        const qr = await beginTransaction(this.db, isolation);
        // the events and audit rows go out with the COMMIT (one round trip for both)
        const outcome = await finishTransaction(
          qr,
          () => {
            tx = new Tx(qr.manager, actor, correlationId);
            return work(tx);
          },
          () => tx!.flush(),
        );
        const result = outcome instanceof Final ? await (outcome as Final<T>).settled : outcome;
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
