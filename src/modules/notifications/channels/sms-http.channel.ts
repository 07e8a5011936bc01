import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { redactText } from '../../../common/redaction/index.js';
import { DeliveryError } from './delivery-error.js';
import type { DeliveryReceipt, NotificationChannel, OutboundNotification } from './notification-channel.js';

const TIMEOUT_MS = 15_000;
const MAX_SMS_CHARS = 1600;

/** The provider's id for the message, if its JSON answer names one. */
function providerId(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    for (const key of ['id', 'message_id', 'messageId', 'sid']) {
      const v = (body as Record<string, unknown>)[key];
      if ((typeof v === 'string' && v.length > 0 && v.length <= 200) || typeof v === 'number') return String(v);
    }
  }
  return fallback;
}

/**
 * SMS through a generic HTTP provider: `POST SMS_PROVIDER_URL` with JSON `{to, body, reference}`
 * (`reference` = the outbox id, the same on every attempt, for the provider's de-duplication) and
 * `Authorization: Bearer SMS_PROVIDER_TOKEN`. 2xx is sent; 408, 429 and 5xx are retried; any other
 * 4xx is a permanent failure. Used only when `SMS_PROVIDER_URL` is set (else the router logs instead).
 */
@Injectable()
export class SmsHttpChannel implements NotificationChannel {
  readonly name = 'sms' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return Boolean(this.config.smsProviderUrl);
  }

  async send(n: OutboundNotification, signal: AbortSignal): Promise<DeliveryReceipt> {
    const url = this.config.smsProviderUrl;
    if (!url) throw new DeliveryError('SMS_PROVIDER_URL is not set', true);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.config.smsProviderToken) headers.authorization = `Bearer ${this.config.smsProviderToken}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to: n.recipient, body: n.body.slice(0, MAX_SMS_CHARS), reference: n.id }),
        redirect: 'error',
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new DeliveryError(`SMS provider unreachable: ${redactText(cause?.code ?? cause?.message ?? (e as Error).message ?? String(e))}`);
    }
    const text = (await res.text().catch(() => '')).slice(0, 4000);
    if (!res.ok) {
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new DeliveryError(`SMS provider answered ${res.status}: ${redactText(text.slice(0, 300))}`, !retryable);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { providerMessageId: providerId(parsed, n.id), deliveredVia: 'sms' };
  }
}
