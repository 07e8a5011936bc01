import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../../common/database/returning.js';
import { preparedEventsSql, preparedParams, type PreparedEvents } from '../../../common/events/unit-of-work.js';
import { resourceLockSql } from '../resource-lock.js';
import type { Appointment, AppointmentStatus } from './appointment.types.js';

export const APPOINTMENT_COLS = `id, tenant_id, resource_id, hold_id, client_name, client_email, client_phone, service,
  start_time, end_time, status, version, checked_in_at, cancelled_at, calendar_sync_status, created_at, updated_at`;

export interface AppointmentFilter {
  tenantId?: string;
  from?: Date;
  to?: Date;
  status?: AppointmentStatus;
  limit: number;
  after?: { start: Date; id: string };
}

/** The columns a booking sets; the database fills in the rest (id, status, version, times). */
export type NewAppointment = Pick<Appointment, 'tenant_id' | 'resource_id' | 'hold_id' | 'client_name' | 'client_email' | 'client_phone' | 'service'> & { start: Date; end: Date };

/** A new appointment with every column its event's snapshot shows given by the caller, not by defaults. */
export type NewAppointmentRow = NewAppointment & Pick<Appointment, 'id' | 'status' | 'version' | 'calendar_sync_status'>;

/** The SQL of appointments. Every read of tenant data takes the tenant id (undefined only for the admin). */
@Injectable()
export class AppointmentRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(m: EntityManager, a: NewAppointment): Promise<Appointment> {
    const rows: Appointment[] = await m.query(
      `INSERT INTO appointments (tenant_id, resource_id, hold_id, client_name, client_email, client_phone, service, start_time, end_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${APPOINTMENT_COLS}`,
      [a.tenant_id, a.resource_id, a.hold_id, a.client_name, a.client_email, a.client_phone, a.service, a.start, a.end],
    );
    return rows[0]!;
  }

  /**
   * A direct booking in one statement (one round trip, where three steps took two): takes the
   * resource's advisory lock (the key of `lockResource`), then checks that no other client's active hold
   * covers the slot, then inserts, and writes the booking's prepared event and audit row if it did.
   * Answers null, writing nothing, when a hold covers the slot. The CTEs run in that order because
   * each reads the one before.
   */
  async insertUnlessHeld(m: EntityManager, a: NewAppointmentRow, created: PreparedEvents): Promise<Appointment | null> {
    const rows: Appointment[] = await m.query(
      `WITH locked AS MATERIALIZED (SELECT ${resourceLockSql('$2::uuid::text')}),
            free AS MATERIALIZED (
              SELECT NOT EXISTS (SELECT 1 FROM availability_holds
                                  WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
                                    AND tstzrange(start_time, end_time) && tstzrange($8, $9)) AS ok
                FROM locked),
            ins AS (
              INSERT INTO appointments (tenant_id, resource_id, hold_id, client_name, client_email, client_phone, service, start_time, end_time,
                                        id, status, version, calendar_sync_status)
              SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::text, $8::timestamptz, $9::timestamptz,
                     $10::uuid, $11::text, $12::integer, $13::text FROM free WHERE free.ok
              RETURNING ${APPOINTMENT_COLS}),
            ${preparedEventsSql(14, 'EXISTS (SELECT 1 FROM ins)')}
       SELECT * FROM ins`,
      [a.tenant_id, a.resource_id, a.hold_id, a.client_name, a.client_email, a.client_phone, a.service, a.start, a.end, a.id, a.status, a.version, a.calendar_sync_status, ...preparedParams(created)],
    );
    return rows[0] ?? null;
  }

  async findForUpdate(m: EntityManager, id: string, tenantId: string | undefined): Promise<Appointment | null> {
    const rows: Appointment[] = await m.query(
      `SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) FOR UPDATE`,
      [id, tenantId ?? null],
    );
    return rows[0] ?? null;
  }

  async findForShare(m: EntityManager, id: string): Promise<Appointment | null> {
    const rows: Appointment[] = await m.query(`SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = $1 FOR SHARE`, [id]);
    return rows[0] ?? null;
  }

  /** Several by id, outside any transaction (no lock). */
  async findManyByIds(ids: readonly string[]): Promise<Appointment[]> {
    return this.db.manager.query(`SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async findById(id: string, tenantId: string | undefined, m?: EntityManager): Promise<Appointment | null> {
    const rows: Appointment[] = await (m ?? this.db.manager).query(
      `SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return rows[0] ?? null;
  }

  async cancel(m: EntityManager, id: string): Promise<Appointment> {
    const rows = returning<Appointment>(await m.query(
      `UPDATE appointments SET status = 'cancelled', cancelled_at = now(), version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`,
      [id],
    ));
    return rows[0]!;
  }

  async move(m: EntityManager, id: string, start: Date, end: Date): Promise<Appointment> {
    const rows = returning<Appointment>(await m.query(
      `UPDATE appointments SET start_time = $2, end_time = $3, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`,
      [id, start, end],
    ));
    return rows[0]!;
  }

  async checkIn(m: EntityManager, id: string): Promise<Appointment> {
    const rows = returning<Appointment>(await m.query(
      `UPDATE appointments SET checked_in_at = coalesce(checked_in_at, now()), updated_at = now() WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`,
      [id],
    ));
    return rows[0]!;
  }

  async setStatus(m: EntityManager, id: string, status: AppointmentStatus, expectedVersion: number): Promise<Appointment | null> {
    const rows = returning<Appointment>(await m.query(
      `UPDATE appointments SET status = $2, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $3 RETURNING ${APPOINTMENT_COLS}`,
      [id, status, expectedVersion],
    ));
    return rows[0] ?? null;
  }

  async setCalendarSyncStatus(m: EntityManager, id: string, status: Appointment['calendar_sync_status']): Promise<void> {
    await m.query(`UPDATE appointments SET calendar_sync_status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  async list(f: AppointmentFilter): Promise<Appointment[]> {
    return this.db.query(
      `SELECT ${APPOINTMENT_COLS} FROM appointments
        WHERE ($1::uuid IS NULL OR tenant_id = $1)
          AND ($2::timestamptz IS NULL OR end_time > $2)
          AND ($3::timestamptz IS NULL OR start_time < $3)
          AND ($4::text IS NULL OR status = $4)
          AND ($5::timestamptz IS NULL OR (start_time, id) > ($5, $6::uuid))
        ORDER BY start_time, id
        LIMIT $7`,
      [f.tenantId ?? null, f.from ?? null, f.to ?? null, f.status ?? null, f.after?.start ?? null, f.after?.id ?? null, f.limit],
    );
  }

  /** Confirmed appointments of a resource overlapping [from, to). */
  async busyIntervals(tenantId: string, resourceId: string, from: Date, to: Date): Promise<{ start_time: Date; end_time: Date }[]> {
    return this.db.query(
      `SELECT start_time, end_time FROM appointments
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'confirmed' AND tstzrange(start_time, end_time) && tstzrange($3, $4)`,
      [tenantId, resourceId, from, to],
    );
  }
}
