import { ApiProperty } from '@nestjs/swagger';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES, type Notification, type NotificationChannelName, type NotificationStatus } from '../notification.types.js';

/** A notification as the API shows it (to its tenant or the admin: the recipient is their client's contact). */
export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) job_id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) appointment_id!: string | null;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS }) channel!: NotificationChannelName;
  @ApiProperty({ example: 'confirmation' }) template!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ type: String, nullable: true }) subject!: string | null;
  @ApiProperty() body!: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status!: NotificationStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'pending rows: the next attempt (or the end of the attempt under way)' }) next_attempt_at!: Date | null;
  @ApiProperty({ type: String, enum: NOTIFICATION_CHANNELS, nullable: true, description: '`log` when the channel is not configured' }) delivered_via!: NotificationChannelName | null;
  @ApiProperty({ type: String, nullable: true, description: 'email: the Message-ID; webhook: the webhook-id; log: log:<id>' }) provider_message_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sent_at!: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
}

export class NotificationPageView {
  @ApiProperty({ type: [NotificationView] }) items!: NotificationView[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page' }) next_cursor!: string | null;
}

export function toNotificationView(n: Notification): NotificationView {
  return {
    id: n.id,
    tenant_id: n.tenant_id,
    job_id: n.job_id,
    appointment_id: n.appointment_id,
    channel: n.channel,
    template: n.template,
    recipient: n.recipient,
    subject: n.subject,
    body: n.body,
    status: n.status,
    attempts: n.attempts,
    next_attempt_at: n.status === 'pending' ? n.next_attempt_at : null,
    delivered_via: n.delivered_via,
    provider_message_id: n.provider_message_id,
    last_error: n.last_error,
    sent_at: n.sent_at,
    created_at: n.created_at,
  };
}
