import { Module } from '@nestjs/common';
import { ChannelRouter } from './channels/channel-router.js';
import { LogChannel } from './channels/log.channel.js';
import { SmsHttpChannel } from './channels/sms-http.channel.js';
import { SmtpEmailChannel } from './channels/smtp-email.channel.js';
import { WebhookChannel } from './channels/webhook.channel.js';
import { NotificationDispatcher } from './dispatch/notification-dispatcher.js';
import { NotificationRetryPolicy } from './dispatch/notification-retry-policy.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationOutboxRepository } from './outbox/notification-outbox.repository.js';
import { LocalDispatcher } from './dispatch/local-dispatcher.js';
import { NotificationOutboxService } from './outbox/notification-outbox.service.js';
import { NotificationTemplateRenderer } from './templates/notification-template.renderer.js';
import { TenantWebhookRepository } from './webhooks/tenant-webhook.repository.js';
import { TenantWebhookService } from './webhooks/tenant-webhook.service.js';
import { TenantWebhooksController } from './webhooks/tenant-webhooks.controller.js';

/**
 * The notification outbox (one row per job and channel, written in the caller's transaction), its
 * dispatcher (leased claims, retries with backoff, audited), the channels (log, SMTP email, HTTP
 * SMS, signed per-tenant webhooks), the templates, `GET /api/notifications` and the tenant's
 * webhook endpoint API. Depends on `common` only.
 */
@Module({
  controllers: [NotificationsController, TenantWebhooksController],
  providers: [
    LocalDispatcher,
    NotificationOutboxRepository,
    NotificationOutboxService,
    NotificationTemplateRenderer,
    NotificationRetryPolicy,
    NotificationDispatcher,
    LogChannel,
    SmtpEmailChannel,
    SmsHttpChannel,
    WebhookChannel,
    ChannelRouter,
    TenantWebhookRepository,
    TenantWebhookService,
  ],
  exports: [NotificationOutboxService, NotificationTemplateRenderer, NotificationDispatcher],
})
export class NotificationsModule {}
