import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { auditColumns, type AuditEntry } from '../../../common/audit/audit-appender.js';
import { returning } from '../../../common/database/returning.js';
import type { EnqueueNotificationInput, Notification, NotificationChannelName, NotificationListFilter } from '../notification.types.js';
import { isoJson } from '../../../common/database/sql-timestamps.js';

export const OUTBOX_COLS = `id, tenant_id, job_id, appointment_id, channel, template, recipient, subject, body, status, attempts,
  next_attempt_at, provider_message_id, last_error, sent_at, delivered_via, correlation_id, created_at`;
const O_COLS = OUTBOX_COLS.split(',').map((c) => `o.${c.trim()}`).join(', ');

/** `NOTIFY` channel: a committed enqueue wakes every listening dispatcher (delivered at commit, never before). */
export const OUTBOX_NOTIFY_CHANNEL = 'notification_outbox';

/** The result of one attempt, as the dispatcher records it. */
export interface AttemptResult {
  id: string;
  /** The attempt number the claim gave (fences a result whose lease was lost). */
  attempts: number;
  outcome: 'sent' | 'retry' | 'failed';
  providerMessageId: string | null;
  deliveredVia: NotificationChannelName | null;
  error: string | null;
  /** For `retry`: delay before the next attempt. */
  delayMs: number | null;
}

/** The outbox's SQL, by hand. Claims lease rows by pushing `next_attempt_at` forward; results are fenced by the attempt number. */
@Injectable()
export class NotificationOutboxRepository {
  /**
   * Inserts the row unless (job, channel) already has one; answers null then. With `notify`, the
   * NOTIFY goes out with the caller's commit (and not at all on rollback). With `leaseMs`, the row
   * is inserted claimed (its first attempt counted and leased, as `claimDue` leaves a row) for the
   * local dispatcher, which sends it once the caller commits.
   */
  async insert(m: EntityManager, n: EnqueueNotificationInput, correlationId: string | null, notify = true, leaseMs: number | null = null): Promise<Notification | null> {
    const rows: (Notification & { notified?: unknown })[] = await m.query(
      `WITH ins AS (
         INSERT INTO notification_outbox (tenant_id, job_id, appointment_id, channel, template, recipient, subject, body, correlation_id,
                                          attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10::float8 IS NULL THEN 0 ELSE 1 END,
                 now() + make_interval(secs => coalesce($10::float8, 0) / 1000))
         ON CONFLICT (job_id, channel) DO NOTHING
         RETURNING ${OUTBOX_COLS})
       SELECT ins.*${notify ? `, pg_notify('${OUTBOX_NOTIFY_CHANNEL}', ins.id::text)::text AS notified` : ''} FROM ins`,
      [n.tenantId, n.jobId, n.appointmentId, n.channel, n.template, n.recipient, n.subject, n.body, correlationId, leaseMs],
    );
    const row = rows[0];
    if (!row) return null;
    delete row.notified;
    return row;
  }

  /** Gives back a lease taken but not used (the attempt is not counted): the row is due again at once. */
  async releaseLease(m: EntityManager, id: string, attempts: number): Promise<void> {
    await m.query(
      `UPDATE notification_outbox SET attempts = attempts - 1, next_attempt_at = now()
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [id, attempts],
    );
  }

  async findByJobChannel(m: EntityManager, tenantId: string, jobId: string, channel: NotificationChannelName): Promise<Notification | null> {
    const rows: Notification[] = await m.query(
      `SELECT ${OUTBOX_COLS} FROM notification_outbox WHERE job_id = $1 AND channel = $2 AND tenant_id = $3`,
      [jobId, channel, tenantId],
    );
    return rows[0] ?? null;
  }

  async findById(m: EntityManager, id: string, tenantId?: string): Promise<Notification | null> {
    const rows: Notification[] = await m.query(
      `SELECT ${OUTBOX_COLS} FROM notification_outbox WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return rows[0] ?? null;
  }

  /**
   * Claims up to `limit` due rows: counts the attempt and leases the row by moving `next_attempt_at`
   * `leaseMs` ahead, in one statement. SKIP LOCKED keeps concurrent claimers on disjoint rows, and
   * the lease keeps a claimed row away from every other instance until it expires.
   */
  async claimDue(m: EntityManager, limit: number, leaseMs: number): Promise<Notification[]> {
    return returning<Notification>(
      await m.query(
        `WITH due AS MATERIALIZED (
           SELECT id FROM notification_outbox
            WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id
            LIMIT $1
            FOR UPDATE SKIP LOCKED)
         UPDATE notification_outbox o
            SET attempts = o.attempts + 1,
                next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
           FROM due WHERE o.id = due.id
         RETURNING ${O_COLS}`,
        [limit, leaseMs],
      ),
    );
  }

  /** Records attempt results; a result whose row has moved on (lease lost and re-claimed) is ignored. Answers the rows changed. */
  /**
   * Records attempt results and, in the same statement, their audit rows: one round trip, so the
   * time between a provider's "accepted" and the row saying `sent` (the window in which a crash
   * makes the next attempt send again) is as short as it can be. `audits[i]` is the audit row of
   * `results[i]` as the row will read after the update (redacted here); the statement writes it
   * only if the row was updated, names the transition after the row's new status, and adds the
   * times the database set (`sent_at`, `next_attempt_at`).
   */
  async settle(m: EntityManager, results: readonly AttemptResult[], audits: readonly AuditEntry[] = []): Promise<Notification[]> {
    if (results.length === 0) return [];
    const cols = auditColumns(audits);
    return returning<Notification>(
      await m.query(
        `WITH u AS (
         UPDATE notification_outbox o
            SET status = CASE t.outcome WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
                sent_at = CASE WHEN t.outcome = 'sent' THEN now() ELSE o.sent_at END,
                provider_message_id = coalesce(t.provider_message_id, o.provider_message_id),
                delivered_via = coalesce(t.delivered_via, o.delivered_via),
                last_error = CASE WHEN t.error IS NULL THEN o.last_error ELSE left(t.error, 2000) END,
                next_attempt_at = CASE WHEN t.outcome = 'retry'
                                       THEN now() + make_interval(secs => t.delay_ms / 1000)
                                       ELSE o.next_attempt_at END
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])
                AS t(id, attempts, outcome, provider_message_id, delivered_via, error, delay_ms)
          WHERE o.id = t.id AND o.attempts = t.attempts AND o.status = 'pending'
          RETURNING ${O_COLS}),
         a AS (
         INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id)
         SELECT u.tenant_id,
                CASE u.status WHEN 'sent' THEN 'notification.sent' WHEN 'failed' THEN 'notification.failed' ELSE 'notification.retry_scheduled' END,
                'notification', u.id::text, x.actor,
                x.payload || CASE u.status
                               WHEN 'sent' THEN jsonb_build_object('sent_at', ${isoJson('u.sent_at')})
                               WHEN 'pending' THEN jsonb_build_object('next_attempt_at', ${isoJson('u.next_attempt_at')})
                               ELSE '{}'::jsonb END,
                x.correlation_id
           FROM u JOIN unnest($8::text[], $9::text[], $10::jsonb[], $11::text[]) AS x(entity_id, actor, payload, correlation_id) ON x.entity_id = u.id::text)
         SELECT * FROM u`,
        [
          results.map((r) => r.id),
          results.map((r) => r.attempts),
          results.map((r) => r.outcome),
          results.map((r) => r.providerMessageId),
          results.map((r) => r.deliveredVia),
          results.map((r) => r.error),
          results.map((r) => r.delayMs ?? 0),
          cols[3],
          cols[4],
          cols[5],
          cols[6],
        ],
      ),
    );
  }

  /** Newest first, keyset-paginated on (created_at, id); `cursor_key` is created_at at full precision. */
  async list(m: EntityManager, f: NotificationListFilter): Promise<(Notification & { cursor_key: string })[]> {
    return m.query(
      `SELECT ${OUTBOX_COLS}, created_at::text AS cursor_key FROM notification_outbox
        WHERE ($1::uuid IS NULL OR tenant_id = $1)
          AND ($2::text IS NULL OR status = $2)
          AND ($3::text IS NULL OR channel = $3)
          AND ($4::uuid IS NULL OR appointment_id = $4)
          AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $7`,
      [f.tenantId ?? null, f.status ?? null, f.channel ?? null, f.appointmentId ?? null, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
    );
  }
}
