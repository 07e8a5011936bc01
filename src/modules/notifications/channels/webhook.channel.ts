import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { redactText } from '../../../common/redaction/index.js';
import { httpPost } from '../webhooks/http-post.js';
import { standardWebhookHeaders } from '../webhooks/standard-webhook-signer.js';
import { TenantWebhookService } from '../webhooks/tenant-webhook.service.js';
import { guardedLookup, parseWebhookUrl } from '../webhooks/webhook-target.js';
import { DeliveryError } from './delivery-error.js';
import type { DeliveryReceipt, NotificationChannel, OutboundNotification } from './notification-channel.js';

const TIMEOUT_MS = 15_000;

/** The JSON body of a delivery: built from the row only, so it is byte-identical on every retry. */
export function webhookBody(n: OutboundNotification): string {
  return JSON.stringify({
    type: `notification.${n.template}`,
    timestamp: n.created_at.toISOString(),
    data: {
      notification_id: n.id,
      tenant_id: n.tenant_id,
      job_id: n.job_id,
      appointment_id: n.appointment_id,
      template: n.template,
      recipient: n.recipient,
      subject: n.subject,
      body: n.body,
    },
  });
}

/**
 * Delivers to the tenant's endpoint, signed per Standard Webhooks (`webhook-id` = the outbox id,
 * stable across retries). 2xx is delivered; 410 Gone disables the endpoint and fails the row;
 * anything else (other statuses, network errors, timeouts) is retried on the webhook schedule.
 * Private and loopback targets are refused at connection time unless WEBHOOK_ALLOW_PRIVATE.
 */
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook' as const;

  constructor(
    private readonly endpoints: TenantWebhookService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(n: OutboundNotification, signal: AbortSignal): Promise<DeliveryReceipt> {
    const endpoint = await this.endpoints.endpointFor(n.tenant_id);
    if (!endpoint) throw new DeliveryError('no webhook endpoint is set for this tenant', true);
    if (!endpoint.enabled) throw new DeliveryError(`the webhook endpoint is disabled (${endpoint.disabled_reason ?? 'no reason'})`, true);
    const allowPrivate = this.config.webhookAllowPrivate;
    let url: URL;
    try {
      url = parseWebhookUrl(endpoint.url, allowPrivate);
    } catch (e) {
      throw new DeliveryError(`webhook endpoint refused: ${(e as Error).message}`, true);
    }
    const body = webhookBody(n);
    let status: number;
    let answer: string;
    try {
      ({ status, body: answer } = await httpPost(url, body, {
        headers: { 'content-type': 'application/json', 'user-agent': 'agent-runtime-webhooks/1', ...standardWebhookHeaders(endpoint.secret, n.id, body) },
        lookup: guardedLookup(allowPrivate),
        signal,
        timeoutMs: TIMEOUT_MS,
      }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new DeliveryError(`webhook delivery failed: ${err.code ?? err.name}: ${redactText(err.message ?? String(e)).slice(0, 300)}`);
    }
    if (status === 410) {
      await this.endpoints.disable(n.tenant_id, endpoint.url, 'the endpoint answered 410 Gone', n.id);
      throw new DeliveryError('the webhook endpoint answered 410 Gone: it has been disabled', true);
    }
    if (status < 200 || status >= 300) throw new DeliveryError(`the webhook endpoint answered ${status}: ${redactText(answer.slice(0, 300))}`);
    return { providerMessageId: n.id, deliveredVia: 'webhook' };
  }
}
