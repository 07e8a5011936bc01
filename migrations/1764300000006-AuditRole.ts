import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the application runs as (`SET ROLE`): it may read and append the audit log, never rewrite it. */
export const APP_DB_ROLE = 'agent_runtime_app';

/**
 * 006: a NOLOGIN role with what the application needs on every table, but on `audit_log` only
 * SELECT, INSERT and UPDATE of exactly the chain columns the sealer fills (the trigger still
 * checks that nothing else changes). Roles are cluster-wide and several databases may share one
 * cluster, so the role is created only if missing and `down` drops it only when no other database
 * still grants it anything.
 */
export class AuditRole1764300000006 implements MigrationInterface {
  name = 'AuditRole1764300000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_DB_ROLE}') THEN
          BEGIN
            CREATE ROLE ${APP_DB_ROLE} NOLOGIN;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created at the same moment by a migration of another database
          END;
        END IF;
      END $$`);
    // The login role that owns the schema may switch to it (a superuser may anyway).
    await q.query(`
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT ${APP_DB_ROLE} TO %I', current_user);
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'could not grant ${APP_DB_ROLE} to %: a role admin must grant it', current_user;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_DB_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_DB_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_DB_ROLE}`);
    // Tables and sequences that later migrations create get the same privileges.
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_DB_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_DB_ROLE}`);
    // The audit log: read, append, and seal (exactly the three chain columns); nothing else.
    await q.query(`REVOKE ALL ON audit_log FROM ${APP_DB_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO ${APP_DB_ROLE}`);
    await q.query(`GRANT UPDATE (chain_seq, prev_hash, hash) ON audit_log TO ${APP_DB_ROLE}`);
    // The migration history is the migrator's, not the application's.
    await q.query(`REVOKE INSERT, UPDATE, DELETE ON typeorm_migrations FROM ${APP_DB_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_DB_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_DB_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_DB_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_DB_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_DB_ROLE}`);
    // Dropped only if no other database of the cluster still depends on it (DROP ROLE refuses then).
    await q.query(`
      DO $$
      BEGIN
        DROP ROLE IF EXISTS ${APP_DB_ROLE};
      EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE NOTICE 'role ${APP_DB_ROLE} kept: other databases still use it';
      END $$`);
  }
}
