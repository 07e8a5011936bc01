import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 005: what the job queue enforces in the database beyond migration 004 — a claimed job always
 * names its worker and has a lease (and only a claimed job has one), outcomes are a closed set —
 * plus the indexes behind the operator listing, and autovacuum settings for a table whose rows churn.
 */
export class JobQueueConstraints1764300000005 implements MigrationInterface {
  name = 'JobQueueConstraints1764300000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_claim_has_worker CHECK (status <> 'claimed' OR (worker_id IS NOT NULL AND claimed_at IS NOT NULL))`);
    // A lease exactly while claimed: the fenced statements test lock_expires_at rather than the
    // status, which keeps the planner on the primary key (see JobRepository).
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_lease_iff_claimed CHECK ((status = 'claimed') = (lock_expires_at IS NOT NULL))`);
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_outcome_known
                   CHECK (outcome IS NULL OR outcome IN ('completed', 'skipped', 'cancelled'))`);
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_attempts_nonnegative CHECK (attempts >= 0)`);
    // Admin listing across tenants (the per-tenant listing has jobs_tenant_created).
    await q.query(`CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX jobs_appointment ON jobs (appointment_id, created_at DESC, id DESC) WHERE appointment_id IS NOT NULL`);
    // Every job row is updated two or three times within seconds: vacuum it early, before the
    // pending-only indexes fill with dead entries that each claim would have to step over.
    await q.query(`ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay)`);
    await q.query(`DROP INDEX IF EXISTS jobs_appointment`);
    await q.query(`DROP INDEX IF EXISTS jobs_created`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_attempts_nonnegative`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_outcome_known`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_lease_iff_claimed`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_claim_has_worker`);
  }
}
