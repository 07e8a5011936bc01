import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAppender } from '../../../common/audit/audit-appender.js';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { FOREIGN_KEY_VIOLATION, pgCode } from '../../../common/database/pg-errors.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { NotificationsErrorCode, NotificationsException } from '../notifications.exception.js';
import { generateWebhookSecret } from './standard-webhook-signer.js';
import { TenantWebhookRepository } from './tenant-webhook.repository.js';
import type { TenantWebhook } from './tenant-webhook.types.js';
import { assertPublicTarget, parseWebhookUrl } from './webhook-target.js';

export interface SetWebhookResult {
  webhook: TenantWebhook;
  /** The secret in clear, only when it was just generated (new endpoint or rotation); never shown again. */
  secret: string | null;
}

/** A tenant's webhook endpoint: set (URL checked, secret generated server-side), read, delete, disable on 410. Audited. */
@Injectable()
export class TenantWebhookService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: TenantWebhookRepository,
    private readonly audit: AuditAppender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async set(tenantId: string, rawUrl: string, context: RequestContext, rotateSecret = false): Promise<SetWebhookResult> {
    const url = parseWebhookUrl(rawUrl, this.config.webhookAllowPrivate);
    await assertPublicTarget(url, this.config.webhookAllowPrivate);
    const fresh = generateWebhookSecret();
    try {
      return await this.db.transaction(async (m) => {
        const row = await this.repo.upsert(m, tenantId, url.toString(), fresh, rotateSecret);
        const shown = row.created || rotateSecret;
        await this.record(m, row, 'webhook.endpoint_set', { url: row.url, created: row.created, secret_rotated: shown }, context);
        const { created: _created, ...webhook } = row;
        return { webhook, secret: shown ? fresh : null };
      });
    } catch (e) {
      if (pgCode(e) === FOREIGN_KEY_VIOLATION) throw new NotificationsException(NotificationsErrorCode.TENANT_NOT_FOUND, 'tenant not found', 'tenant_id');
      throw e;
    }
  }

  async get(tenantId: string): Promise<TenantWebhook> {
    const row = await this.repo.find(this.db.manager, tenantId);
    if (!row) throw new NotificationsException(NotificationsErrorCode.WEBHOOK_NOT_FOUND, 'no webhook endpoint is set for this tenant');
    return row;
  }

  async remove(tenantId: string, context: RequestContext): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.repo.delete(m, tenantId);
      if (!row) throw new NotificationsException(NotificationsErrorCode.WEBHOOK_NOT_FOUND, 'no webhook endpoint is set for this tenant');
      await this.record(m, row, 'webhook.endpoint_deleted', { url: row.url }, context);
    });
  }

  /** The endpoint deliveries go to (the channel reads it on every attempt, so a changed URL applies to retries). */
  async endpointFor(tenantId: string): Promise<TenantWebhook | null> {
    return this.repo.find(this.db.manager, tenantId);
  }

  /** Disables the endpoint (the receiver answered 410 Gone); false if it had changed or was disabled already. */
  async disable(tenantId: string, url: string, reason: string, notificationId: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const row = await this.repo.disable(m, tenantId, url, reason);
      if (row) await this.record(m, row, 'webhook.endpoint_disabled', { url: row.url, reason, notification_id: notificationId }, { correlationId: null, actor: 'notification-dispatcher' });
      return row !== null;
    });
  }

  private async record(m: EntityManager, row: TenantWebhook, eventType: string, payload: Record<string, unknown>, context: RequestContext): Promise<void> {
    await this.audit.append(m, [
      {
        tenant_id: row.tenant_id,
        event_type: eventType,
        entity_type: 'tenant_webhook',
        entity_id: row.tenant_id,
        actor: context.actor,
        payload,
        correlation_id: context.correlationId,
      },
    ]);
  }
}
