import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 004: the agent runtime: policy rules, the job queue and the notification outbox. */
export class CreateAgentRuntime1764300000004 implements MigrationInterface {
  name = 'CreateAgentRuntime1764300000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_rules (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id   uuid REFERENCES tenants(id) ON DELETE CASCADE,
        action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
        effect      text NOT NULL CHECK (effect IN ('allow', 'deny')),
        conditions  jsonb NOT NULL DEFAULT '{}'::jsonb,
        priority    integer NOT NULL DEFAULT 0,
        is_active   boolean NOT NULL DEFAULT true,
        description text,
        is_default  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX policy_rules_lookup ON policy_rules (action, tenant_id) WHERE is_active`);
    // Seeding is idempotent: one default rule per action at global scope.
    await q.query(`CREATE UNIQUE INDEX policy_rules_one_default ON policy_rules (action) WHERE is_default AND tenant_id IS NULL`);

    await q.query(`
      CREATE TABLE jobs (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id           uuid,
        type                text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
        payload             jsonb NOT NULL DEFAULT '{}'::jsonb,
        status              text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'cancelled')),
        priority            integer NOT NULL DEFAULT 0,
        run_at              timestamptz NOT NULL DEFAULT now(),
        claimed_at          timestamptz,
        completed_at        timestamptz,
        attempts            integer NOT NULL DEFAULT 0,
        max_attempts        integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
        last_error          text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        dedupe_key          text,
        worker_id           text,
        lock_expires_at     timestamptz,
        appointment_id      uuid,
        appointment_version integer,
        outcome             text,
        outcome_reason      text,
        shadow              boolean NOT NULL DEFAULT false,
        correlation_id      text
      )`);
    // The claim query only ever looks at pending rows: its cost does not grow with finished jobs.
    await q.query(`CREATE INDEX jobs_claimable ON jobs (priority DESC, run_at, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX jobs_claimed_deadline ON jobs (lock_expires_at) WHERE status = 'claimed'`);
    await q.query(`CREATE INDEX jobs_pending_appointment ON jobs (appointment_id) WHERE status IN ('pending', 'claimed')`);
    await q.query(`CREATE UNIQUE INDEX jobs_dedupe_active ON jobs (dedupe_key) WHERE status IN ('pending', 'claimed') AND dedupe_key IS NOT NULL`);
    await q.query(`CREATE INDEX jobs_finished ON jobs (completed_at) WHERE status IN ('completed', 'cancelled')`);
    await q.query(`CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE notification_outbox (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id           uuid NOT NULL,
        job_id              uuid NOT NULL,
        appointment_id      uuid,
        channel             text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'log')),
        template            text NOT NULL,
        recipient           text NOT NULL,
        subject             text,
        body                text NOT NULL,
        status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts            integer NOT NULL DEFAULT 0,
        next_attempt_at     timestamptz NOT NULL DEFAULT now(),
        provider_message_id text,
        last_error          text,
        sent_at             timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (job_id, channel)
      )`);
    await q.query(`CREATE INDEX outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX outbox_tenant_created ON notification_outbox (tenant_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS notification_outbox`);
    await q.query(`DROP TABLE IF EXISTS jobs`);
    await q.query(`DROP TABLE IF EXISTS policy_rules`);
  }
}
