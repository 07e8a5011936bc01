import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 007: per-tenant webhook endpoints (one per tenant; the `whsec_` secret signs every delivery per
 * Standard Webhooks; an endpoint answering 410 is disabled with the reason), and what the outbox
 * dispatcher records beyond migration 004: the channel that actually delivered a row (`log` when
 * the email/SMS channel is not configured), the correlation id of the work that enqueued it, and the
 * indexes behind the operator listing.
 */
export class TenantWebhooks1764300000007 implements MigrationInterface {
  name = 'TenantWebhooks1764300000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant_webhooks (
        tenant_id       uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
        secret          text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$'),
        enabled         boolean NOT NULL DEFAULT true,
        disabled_at     timestamptz,
        disabled_reason text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenant_webhooks_disabled_has_time CHECK (enabled OR disabled_at IS NOT NULL)
      )`);

    await q.query(`ALTER TABLE notification_outbox
                     ADD COLUMN delivered_via text CHECK (delivered_via IN ('email', 'sms', 'webhook', 'log')),
                     ADD COLUMN correlation_id text`);
    await q.query(`ALTER TABLE notification_outbox ADD CONSTRAINT outbox_sent_has_time CHECK (status <> 'sent' OR (sent_at IS NOT NULL AND delivered_via IS NOT NULL))`);
    await q.query(`ALTER TABLE notification_outbox ADD CONSTRAINT outbox_attempts_nonnegative CHECK (attempts >= 0)`);
    // Keyset listing: per tenant (replaces 004's index, which lacked the id tie-breaker), across tenants, per appointment.
    await q.query(`DROP INDEX IF EXISTS outbox_tenant_created`);
    await q.query(`CREATE INDEX outbox_tenant_created ON notification_outbox (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX outbox_created ON notification_outbox (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX outbox_appointment ON notification_outbox (appointment_id, created_at DESC, id DESC) WHERE appointment_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_appointment`);
    await q.query(`DROP INDEX IF EXISTS outbox_created`);
    await q.query(`DROP INDEX IF EXISTS outbox_tenant_created`);
    await q.query(`CREATE INDEX outbox_tenant_created ON notification_outbox (tenant_id, created_at DESC)`);
    await q.query(`ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS outbox_attempts_nonnegative`);
    await q.query(`ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS outbox_sent_has_time`);
    await q.query(`ALTER TABLE notification_outbox DROP COLUMN IF EXISTS correlation_id, DROP COLUMN IF EXISTS delivered_via`);
    await q.query(`DROP TABLE IF EXISTS tenant_webhooks`);
  }
}
