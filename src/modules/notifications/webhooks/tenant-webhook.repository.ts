import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returning } from '../../../common/database/returning.js';
import type { TenantWebhook } from './tenant-webhook.types.js';

const COLS = 'tenant_id, url, secret, enabled, disabled_at, disabled_reason, created_at, updated_at';

/** The SQL of `tenant_webhooks`; every method is scoped by tenant. */
@Injectable()
export class TenantWebhookRepository {
  async find(m: EntityManager, tenantId: string): Promise<TenantWebhook | null> {
    const rows: TenantWebhook[] = await m.query(`SELECT ${COLS} FROM tenant_webhooks WHERE tenant_id = $1`, [tenantId]);
    return rows[0] ?? null;
  }

  /**
   * Creates the endpoint, or points it at `url` and re-enables it. The secret is `secret` for a new
   * endpoint or when `rotate`, else the existing one is kept. `created` says whether it was new.
   */
  async upsert(m: EntityManager, tenantId: string, url: string, secret: string, rotate: boolean): Promise<TenantWebhook & { created: boolean }> {
    const rows: (TenantWebhook & { created: boolean })[] = await m.query(
      `INSERT INTO tenant_webhooks (tenant_id, url, secret) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE
          SET url = EXCLUDED.url,
              secret = CASE WHEN $4::boolean THEN EXCLUDED.secret ELSE tenant_webhooks.secret END,
              enabled = true, disabled_at = NULL, disabled_reason = NULL, updated_at = now()
       RETURNING ${COLS}, (xmax = 0) AS created`,
      [tenantId, url, secret, rotate],
    );
    return rows[0]!;
  }

  async delete(m: EntityManager, tenantId: string): Promise<TenantWebhook | null> {
    const rows = returning<TenantWebhook>(await m.query(`DELETE FROM tenant_webhooks WHERE tenant_id = $1 RETURNING ${COLS}`, [tenantId]));
    return rows[0] ?? null;
  }

  /** Disables the endpoint if it still points at `url` (a 410 from an old URL does not disable a new one). */
  async disable(m: EntityManager, tenantId: string, url: string, reason: string): Promise<TenantWebhook | null> {
    const rows = returning<TenantWebhook>(
      await m.query(
        `UPDATE tenant_webhooks SET enabled = false, disabled_at = now(), disabled_reason = left($3, 500), updated_at = now()
          WHERE tenant_id = $1 AND url = $2 AND enabled RETURNING ${COLS}`,
        [tenantId, url, reason],
      ),
    );
    return rows[0] ?? null;
  }
}
