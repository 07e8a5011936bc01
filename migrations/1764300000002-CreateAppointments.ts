import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 002: appointments and availability holds. Overbooking is made impossible by the database itself:
 * an EXCLUDE constraint over confirmed appointments, and one over active holds.
 */
export class CreateAppointments1764300000002 implements MigrationInterface {
  name = 'CreateAppointments1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE availability_holds (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_id uuid NOT NULL,
        start_time  timestamptz NOT NULL,
        end_time    timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'confirmed', 'expired')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id) ON DELETE CASCADE,
        CHECK (end_time > start_time),
        CONSTRAINT holds_no_overlap EXCLUDE USING gist (
          tenant_id WITH =, resource_id WITH =, tstzrange(start_time, end_time) WITH &&
        ) WHERE (status = 'active')
      )`);
    await q.query(`CREATE INDEX holds_active_expiry ON availability_holds (expires_at) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE appointments (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id            uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_id          uuid NOT NULL,
        hold_id              uuid REFERENCES availability_holds(id),
        client_name          text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 200),
        client_email         text NOT NULL CHECK (length(client_email) BETWEEN 3 AND 254),
        client_phone         text CHECK (client_phone IS NULL OR length(client_phone) <= 32),
        service              text CHECK (service IS NULL OR length(service) <= 200),
        start_time           timestamptz NOT NULL,
        end_time             timestamptz NOT NULL,
        status               text NOT NULL DEFAULT 'confirmed'
                             CHECK (status IN ('confirmed', 'cancelled', 'completed', 'no_show')),
        version              integer NOT NULL DEFAULT 1,
        checked_in_at        timestamptz,
        cancelled_at         timestamptz,
        calendar_sync_status text NOT NULL DEFAULT 'none'
                             CHECK (calendar_sync_status IN ('none', 'pending', 'synced', 'failed')),
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id) ON DELETE CASCADE,
        CHECK (end_time > start_time),
        CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
          tenant_id WITH =, resource_id WITH =, tstzrange(start_time, end_time) WITH &&
        ) WHERE (status = 'confirmed')
      )`);
    await q.query(`CREATE INDEX appointments_tenant_start ON appointments (tenant_id, start_time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS appointments`);
    await q.query(`DROP TABLE IF EXISTS availability_holds`);
  }
}
