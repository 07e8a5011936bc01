import type { Notification, NotificationChannelName } from '../notification.types.js';

/** What a channel gets: the outbox row being attempted (its id is the stable message id across retries). */
export type OutboundNotification = Pick<
  Notification,
  'id' | 'tenant_id' | 'job_id' | 'appointment_id' | 'channel' | 'template' | 'recipient' | 'subject' | 'body' | 'attempts' | 'created_at'
>;

export interface DeliveryReceipt {
  providerMessageId: string;
  /** The channel that delivered it (`log` when the requested one is not configured). */
  deliveredVia: NotificationChannelName;
  /** Why it went another way, for the audit trail. */
  note?: string;
}

/**
 * One way of delivering a notification. `send` resolves with a receipt or throws: a
 * `DeliveryError` says whether a retry can help; any other error is treated as transient.
 * It must give up (throw) by the time `signal` aborts.
 */
export interface NotificationChannel {
  readonly name: NotificationChannelName;
  send(notification: OutboundNotification, signal: AbortSignal): Promise<DeliveryReceipt>;
}
