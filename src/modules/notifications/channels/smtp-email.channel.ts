import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { redactText } from '../../../common/redaction/index.js';
import { DeliveryError } from './delivery-error.js';
import type { DeliveryReceipt, NotificationChannel, OutboundNotification } from './notification-channel.js';

/** The Message-ID of an outbox row: the same on every attempt, so a re-send is recognisably the same message. */
export function messageIdFor(outboxId: string): string {
  return `<${outboxId}@agent-runtime>`;
}

/** Timeouts well inside the dispatcher's lease, so an attempt is over before another instance may start one. */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;

/** SMTP replies that a retry cannot fix: 5xx, except those that say "try again" in substance (mailbox busy…). */
function isPermanent(e: { responseCode?: unknown; code?: unknown }): boolean {
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (rc === undefined) return e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
  return rc >= 500 && rc !== 552;
}

/**
 * Email over SMTP (`SMTP_URL`, e.g. `smtp://user:pass@host:587`, `smtps://host`, query options such
 * as `?ignoreTLS=true` as nodemailer reads them) from `SMTP_FROM`. A pooled transport: connections
 * are reused across messages. Used only when `SMTP_URL` is set (else the router logs instead).
 */
@Injectable()
export class SmtpEmailChannel implements NotificationChannel, OnModuleDestroy {
  readonly name = 'email' as const;
  private transport: Transporter | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return Boolean(this.config.smtpUrl);
  }

  private transporter(): Transporter {
    if (!this.config.smtpUrl) throw new DeliveryError('SMTP_URL is not set', true);
    this.transport ??= nodemailer.createTransport({
      url: this.config.smtpUrl,
      pool: true,
      maxConnections: 5,
      maxRequeues: 0,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      dnsTimeout: CONNECTION_TIMEOUT_MS,
      socketCloseTimeout: 1000,
    });
    return this.transport;
  }

  async send(n: OutboundNotification, signal: AbortSignal): Promise<DeliveryReceipt> {
    const messageId = messageIdFor(n.id);
    try {
      await this.transporter().sendMail({
        from: this.config.smtpFrom,
        to: n.recipient,
        subject: n.subject ?? '',
        text: n.body,
        messageId,
        headers: { 'X-Notification-Template': n.template },
        signal,
      });
    } catch (e) {
      if (e instanceof DeliveryError) throw e;
      const err = e as Error & { responseCode?: unknown; code?: unknown };
      // SMTP replies often quote the address: never let it reach last_error, logs or the audit trail unredacted.
      throw new DeliveryError(`SMTP: ${redactText(err.message || String(e)).slice(0, 500)}`, isPermanent(err));
    }
    return { providerMessageId: messageId, deliveredVia: 'email' };
  }

  onModuleDestroy(): void {
    this.transport?.close();
    this.transport = null;
  }
}
