export const NOTIFICATION_CHANNELS = ['email', 'sms', 'webhook', 'log'] as const;
export type NotificationChannelName = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const NOTIFICATION_TEMPLATES = ['confirmation', 'reminder', 'cancellation', 'reschedule', 'follow_up'] as const;
export type NotificationTemplateName = (typeof NOTIFICATION_TEMPLATES)[number];

/** One row of `notification_outbox`. `recipient` is real (it must be delivered): never log or audit it unredacted. */
export interface Notification {
  id: string;
  tenant_id: string;
  job_id: string;
  appointment_id: string | null;
  channel: NotificationChannelName;
  template: string;
  recipient: string;
  subject: string | null;
  body: string;
  status: NotificationStatus;
  /** Attempts started so far (a claim counts one). */
  attempts: number;
  /** When pending: the next attempt, or the end of the lease of the attempt under way. */
  next_attempt_at: Date;
  provider_message_id: string | null;
  last_error: string | null;
  sent_at: Date | null;
  /** The channel that delivered it: `log` when `email`/`sms` is not configured. */
  delivered_via: NotificationChannelName | null;
  correlation_id: string | null;
  created_at: Date;
}

/** What the caller (a registered tool, inside its transaction) asks to send. */
export interface EnqueueNotificationInput {
  tenantId: string;
  jobId: string;
  appointmentId: string | null;
  channel: NotificationChannelName;
  template: NotificationTemplateName;
  recipient: string;
  subject: string | null;
  body: string;
}

export interface NotificationListFilter {
  tenantId?: string;
  status?: NotificationStatus;
  channel?: NotificationChannelName;
  appointmentId?: string;
  limit: number;
  after?: { createdAt: string; id: string };
}
