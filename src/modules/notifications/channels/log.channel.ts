import { Injectable, Logger } from '@nestjs/common';
import { redactText } from '../../../common/redaction/index.js';
import type { DeliveryReceipt, NotificationChannel, OutboundNotification } from './notification-channel.js';
import { redactRecipient } from './redact-recipient.js';

/**
 * The default channel: records the rendered message in the application log and counts it as sent.
 * The info line holds the redacted recipient and subject (subjects carry no client name); the body
 * (which greets the client by name, something value-based redaction cannot recognise) is logged at
 * debug level only, through `redactText`.
 */
@Injectable()
export class LogChannel implements NotificationChannel {
  readonly name = 'log' as const;
  private readonly logger = new Logger('Notifications');

  async send(n: OutboundNotification): Promise<DeliveryReceipt> {
    const subject = n.subject ? redactText(n.subject) : '(no subject)';
    this.logger.log(`notification ${n.id} [${n.channel}/${n.template}] to ${redactRecipient(n.recipient)}: ${subject} (${n.body.length} chars)`);
    this.logger.debug(`notification ${n.id} body: ${redactText(n.body).replace(/\s*\n\s*/g, ' / ')}`);
    return { providerMessageId: `log:${n.id}`, deliveredVia: 'log' };
  }
}
