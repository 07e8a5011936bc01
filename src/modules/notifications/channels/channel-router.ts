import { Injectable } from '@nestjs/common';
import type { NotificationChannelName } from '../notification.types.js';
import { LogChannel } from './log.channel.js';
import type { DeliveryReceipt, NotificationChannel, OutboundNotification } from './notification-channel.js';
import { SmsHttpChannel } from './sms-http.channel.js';
import { SmtpEmailChannel } from './smtp-email.channel.js';
import { WebhookChannel } from './webhook.channel.js';

/** The log channel standing in for one that is not configured: it says so in the receipt (and so in the row). */
class FallbackToLog implements NotificationChannel {
  constructor(
    readonly name: NotificationChannelName,
    private readonly log: LogChannel,
    private readonly note: string,
  ) {}

  async send(n: OutboundNotification): Promise<DeliveryReceipt> {
    return { ...(await this.log.send(n)), note: this.note };
  }
}

/**
 * The channel that delivers a row of a given channel. The caller chose the channel; `email`
 * without `SMTP_URL` and `sms` without `SMS_PROVIDER_URL` are written to the log instead
 * (`delivered_via = 'log'` on the row).
 */
@Injectable()
export class ChannelRouter {
  private readonly channels: Record<NotificationChannelName, NotificationChannel>;

  constructor(log: LogChannel, email: SmtpEmailChannel, sms: SmsHttpChannel, webhook: WebhookChannel) {
    this.channels = {
      log,
      email: email.configured ? email : new FallbackToLog('email', log, 'SMTP_URL is not set: the email was written to the log instead'),
      sms: sms.configured ? sms : new FallbackToLog('sms', log, 'SMS_PROVIDER_URL is not set: the SMS was written to the log instead'),
      webhook,
    };
  }

  for(channel: NotificationChannelName): NotificationChannel {
    return this.channels[channel];
  }
}
