import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAppender, type AuditEntry } from '../../../common/audit/audit-appender.js';
import { TransactionHooks } from '../../../common/database/transaction-hooks.js';
import { decodeCursor, encodeCursor } from '../../../common/http/cursor.js';
import { SYSTEM_CONTEXT, type RequestContext } from '../../../common/http/request-context.js';
import { LocalDispatcher } from '../dispatch/local-dispatcher.js';
import { notificationAudit } from '../notification-audit.js';
import type { EnqueueNotificationInput, Notification, NotificationChannelName, NotificationStatus } from '../notification.types.js';
import { validateEnqueueInput } from './enqueue-input.js';
import { NotificationOutboxRepository } from './notification-outbox.repository.js';

export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
}

export interface ListNotificationsOptions {
  /** undefined: every tenant (admin). */
  tenantId?: string;
  status?: NotificationStatus;
  channel?: NotificationChannelName;
  appointmentId?: string;
  limit: number;
  cursor?: string;
}

export interface EnqueueNotificationOptions {
  /** The `notification.enqueued` audit row is handed to the caller, who writes it in its transaction. */
  auditInto?: AuditEntry[];
  /** Who enqueues it, for which request or job: the row's correlation id and its audit actor (default: system). */
  context?: RequestContext;
}

/**
 * The notification outbox: one row per (job, channel), written in the caller's transaction, so a
 * job retried after a crash (even between sending and completing) finds its row and never sends
 * twice. The dispatcher delivers rows after the commit. When one runs in this process, a new row is
 * inserted already leased to it and handed over at the commit (no claim query, no wake-up), or, if
 * it is busy, it is woken in-process; otherwise the commit's NOTIFY wakes the other processes'.
 */
@Injectable()
export class NotificationOutboxService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: NotificationOutboxRepository,
    private readonly audit: AuditAppender,
    private readonly localDispatcher: LocalDispatcher,
    private readonly hooks: TransactionHooks,
  ) {}

  /**
   * Inserts the notification inside `manager`'s transaction (`ON CONFLICT (job_id, channel) DO
   * NOTHING`) and answers the row: the new one (`created: true`, audited `notification.enqueued`)
   * or the one already there for this (job, channel) (`created: false`).
   */
  async enqueue(manager: EntityManager, input: EnqueueNotificationInput, opts: EnqueueNotificationOptions = {}): Promise<Notification & { created: boolean }> {
    validateEnqueueInput(input);
    const ctx = opts.context ?? SYSTEM_CONTEXT;
    const correlationId = ctx.correlationId;
    // a NOTIFY makes the commit take a database-wide lock: only when no local dispatcher will be woken
    const local = this.localDispatcher.current;
    const lease = local?.promise() ?? null;
    let inserted: Notification | null;
    try {
      inserted = await this.repo.insert(manager, input, correlationId, local === null, lease?.leaseMs ?? null);
    } catch (e) {
      if (lease) local!.unpromise(lease.slot);
      throw e;
    }
    if (local && lease && inserted) {
      const row = inserted;
      this.hooks.afterCommit(manager, () => local.adopt(lease.slot, row), () => local.unpromise(lease.slot));
    } else if (local) {
      if (lease) local.unpromise(lease.slot);
      if (inserted) this.hooks.afterCommit(manager, () => local.wake());
    }
    if (inserted) {
      const entry = notificationAudit(inserted, 'enqueued', ctx.actor);
      if (opts.auditInto) opts.auditInto.push(entry);
      else await this.audit.append(manager, [entry]);
      return { ...inserted, created: true };
    }
    const existing = await this.repo.findByJobChannel(manager, input.tenantId, input.jobId, input.channel);
    if (!existing) throw new Error(`notification for job ${input.jobId}/${input.channel} conflicts with a row of another tenant`);
    return { ...existing, created: false };
  }

  async get(id: string, tenantId?: string): Promise<Notification | null> {
    return this.repo.findById(this.db.manager, id, tenantId);
  }

  /** Newest first, keyset-paginated. */
  async list(o: ListNotificationsOptions): Promise<NotificationPage> {
    const after = decodeCursor(o.cursor);
    const rows = await this.repo.list(this.db.manager, {
      tenantId: o.tenantId,
      status: o.status,
      channel: o.channel,
      appointmentId: o.appointmentId,
      limit: o.limit,
      after: after ? { createdAt: after.key, id: after.id } : undefined,
    });
    const last = rows[rows.length - 1];
    const items = rows.map(({ cursor_key: _k, ...n }) => n);
    return { items, nextCursor: rows.length === o.limit && last ? encodeCursor(last.cursor_key, last.id) : null };
  }
}
