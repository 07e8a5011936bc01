import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_DB_ROLE } from './1764300000006-AuditRole.js';

/**
 * 008: the operator's view of the cluster and the socket.io adapter's table.
 *
 * `runtime_instances`: one row per running process (its id is the job runner's worker id), upserted
 * every ~2 s with the runner's state and deleted at shutdown; `GET /api/autonomy` lists the rows
 * whose heartbeat is recent, so a killed process drops out of the list by itself.
 *
 * `socket_io_attachments`: where `@socket.io/postgres-adapter` puts broadcasts too large for a
 * NOTIFY payload (8000 bytes); the adapter deletes rows older than its cleanup interval.
 */
export class RuntimeInstances1764300000008 implements MigrationInterface {
  name = 'RuntimeInstances1764300000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE runtime_instances (
        instance_id  text PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 200),
        role         text NOT NULL CHECK (role IN ('all', 'api', 'worker')),
        hostname     text NOT NULL CHECK (length(hostname) <= 255),
        pid          integer NOT NULL CHECK (pid > 0),
        started_at   timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        state        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(state) = 'object')
      )`);
    await q.query(`CREATE INDEX runtime_instances_heartbeat ON runtime_instances (heartbeat_at)`);
    await q.query(`
      CREATE TABLE socket_io_attachments (
        id          bigserial UNIQUE,
        created_at  timestamptz DEFAULT now(),
        payload     bytea
      )`);
    await q.query(`CREATE INDEX socket_io_attachments_created ON socket_io_attachments (created_at)`);
    // 006's default privileges cover new tables; granted explicitly too, so the intent is visible here.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON runtime_instances, socket_io_attachments TO ${APP_DB_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON SEQUENCE socket_io_attachments_id_seq TO ${APP_DB_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS socket_io_attachments`);
    await q.query(`DROP TABLE IF EXISTS runtime_instances`);
  }
}
