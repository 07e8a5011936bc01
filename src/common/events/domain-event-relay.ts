import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ADVISORY_LOCKS, tryAdvisoryXactLock } from '../database/advisory-lock.js';
import { returning } from '../database/returning.js';
import { DomainEventPublisher } from './domain-event-publisher.js';
import type { DomainEvent, DomainEventName } from './domain-events.js';

const BATCH = 200;
/** How long a relayed event is leased to this instance before another may try it. */
const LEASE_SECONDS = 60;

interface EventRow {
  id: string;
  type: DomainEventName;
  tenant_id: string | null;
  payload: DomainEvent['payload'];
  correlation_id: string | null;
  created_at: Date;
}

/**
 * Crash recovery: re-publishes recorded events that no handler finished (the process died between
 * commit and handling, or a handler failed). One instance at a time (advisory lock).
 */
@Injectable()
export class DomainEventRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventRelay');
  private running = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: DomainEventPublisher,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    const timer = setInterval(() => void this.tick(), this.config.eventRelayIntervalMs);
    this.scheduler.addInterval('domain-event-relay', timer);
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  async tick(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      return await this.relayOnce();
    } catch (e) {
      this.logger.warn(`relay pass failed: ${String(e)}`);
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** One pass: lease due unprocessed events, deliver them, in order of recording. */
  async relayOnce(): Promise<number> {
    const rows = await this.db.transaction(async (m) => {
      if (!(await tryAdvisoryXactLock(m, ADVISORY_LOCKS.eventRelay))) return [] as EventRow[];
      return returning<EventRow & { seq: string }>(await m.query(
        `WITH due AS MATERIALIZED (
            SELECT id FROM domain_events
             WHERE processed_at IS NULL
               AND created_at < now() - make_interval(secs => $1::double precision / 1000)
               AND (next_attempt_at IS NULL OR next_attempt_at <= now())
             ORDER BY seq
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
         UPDATE domain_events d
            SET next_attempt_at = now() + make_interval(secs => $3)
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.type, d.tenant_id, d.payload, d.correlation_id, d.created_at, d.seq`,
        [this.config.eventRelayGraceMs, BATCH, LEASE_SECONDS],
      ));
    });
    rows.sort((a, b) => Number((a as EventRow & { seq: string }).seq) - Number((b as EventRow & { seq: string }).seq));
    for (const r of rows) {
      await this.publisher.deliver({
        id: r.id,
        type: r.type,
        tenant_id: r.tenant_id,
        payload: r.payload,
        correlation_id: r.correlation_id,
        occurred_at: r.created_at.toISOString(),
      });
    }
    await this.publisher.flush();
    if (rows.length > 0) this.logger.log(`relayed ${rows.length} unprocessed event(s)`);
    return rows.length;
  }
}
