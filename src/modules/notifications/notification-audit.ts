import type { AuditEntry } from '../../common/audit/audit-appender.js';
import type { Notification } from './notification.types.js';

export type NotificationTransition = 'enqueued' | 'sent' | 'retry_scheduled' | 'failed';

/**
 * The audit row of one transition of one notification. The recipient goes under the `recipient`
 * key, which the appender's `redactPII` always replaces by a keyed hash (`[EMAIL:…]`), the same tag
 * the log lines show; subject and body are not audited (they hold names).
 */
export function notificationAudit(n: Notification, transition: NotificationTransition, actor: string, extra?: Record<string, unknown>): AuditEntry {
  const payload: Record<string, unknown> = {
    channel: n.channel,
    template: n.template,
    job_id: n.job_id,
    appointment_id: n.appointment_id,
    status: n.status,
    attempts: n.attempts,
    recipient: n.recipient,
  };
  switch (transition) {
    case 'sent':
      Object.assign(payload, { provider_message_id: n.provider_message_id, delivered_via: n.delivered_via, sent_at: n.sent_at });
      break;
    case 'retry_scheduled':
      Object.assign(payload, { error: n.last_error, next_attempt_at: n.next_attempt_at });
      break;
    case 'failed':
      Object.assign(payload, { error: n.last_error });
      break;
    default:
      break;
  }
  if (extra) Object.assign(payload, extra);
  return {
    tenant_id: n.tenant_id,
    event_type: `notification.${transition}`,
    entity_type: 'notification',
    entity_id: n.id,
    actor,
    payload,
    correlation_id: n.correlation_id,
  };
}
