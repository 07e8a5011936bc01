import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 003: the durable record of domain events (with per-handler completion marks), the append-only,
 * hash-chained audit log, and the runtime autonomy toggle.
 */
export class CreateEventsAndAudit1764300000003 implements MigrationInterface {
  name = 'CreateEventsAndAudit1764300000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE domain_events (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        tenant_id          uuid,
        type               text NOT NULL,
        payload            jsonb NOT NULL,
        correlation_id     text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        processed_at       timestamptz,
        publish_attempts   integer NOT NULL DEFAULT 0,
        next_attempt_at    timestamptz,
        last_error         text
      )`);
    await q.query(`CREATE INDEX domain_events_unprocessed ON domain_events (created_at) WHERE processed_at IS NULL`);
    await q.query(`CREATE INDEX domain_events_tenant_type ON domain_events (tenant_id, type, created_at)`);
    await q.query(`
      CREATE TABLE domain_event_handlings (
        event_id   uuid NOT NULL REFERENCES domain_events(id) ON DELETE CASCADE,
        handler    text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, handler)
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        tenant_id      uuid,
        event_type     text NOT NULL,
        entity_type    text,
        entity_id      text,
        actor          text NOT NULL,
        payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
        correlation_id text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        chain_seq      bigint,
        prev_hash      text,
        hash           text
      )`);
    await q.query(`CREATE INDEX audit_log_tenant_created ON audit_log (tenant_id, created_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_entity ON audit_log (entity_id) WHERE entity_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_log_unsealed ON audit_log (seq) WHERE hash IS NULL`);
    await q.query(`CREATE UNIQUE INDEX audit_log_chain ON audit_log ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)), chain_seq) WHERE chain_seq IS NOT NULL`);
    // Append-only: rows are never updated or deleted. The single exception is sealing: a row inserted
    // with a NULL hash gets its place in the tenant's hash chain exactly once, and nothing else changes.
    await q.query(`
      CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND NEW.id = OLD.id AND NEW.seq = OLD.seq
           AND NEW.tenant_id IS NOT DISTINCT FROM OLD.tenant_id
           AND NEW.event_type = OLD.event_type
           AND NEW.entity_type IS NOT DISTINCT FROM OLD.entity_type
           AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
           AND NEW.actor = OLD.actor
           AND NEW.payload = OLD.payload
           AND NEW.correlation_id IS NOT DISTINCT FROM OLD.correlation_id
           AND NEW.created_at = OLD.created_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_guard()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()`);

    await q.query(`
      CREATE TABLE autonomy_settings (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id  uuid REFERENCES tenants(id) ON DELETE CASCADE,
        mode       text NOT NULL CHECK (mode IN ('on', 'off', 'shadow')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'system'
      )`);
    await q.query(`CREATE UNIQUE INDEX autonomy_settings_scope ON autonomy_settings ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)))`);
    await q.query(`INSERT INTO autonomy_settings (tenant_id, mode) VALUES (NULL, 'on')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS autonomy_settings`);
    await q.query(`DROP TABLE IF EXISTS audit_log`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_guard()`);
    await q.query(`DROP TABLE IF EXISTS domain_event_handlings`);
    await q.query(`DROP TABLE IF EXISTS domain_events`);
  }
}
