import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returning } from '../../../common/database/returning.js';
import type { Appointment } from '../appointments/appointment.types.js';

export type CalendarSyncStatus = Appointment['calendar_sync_status'];

/** The SQL of `appointments.calendar_sync_status`. Status writes never bump the appointment's version. */
@Injectable()
export class CalendarSyncRepository {
  /**
   * Sets the status only while the appointment is still at `version` (what the calendar was written
   * from); false when it has changed since, so a stale sync never reports a newer version as synced.
   */
  async setStatus(m: EntityManager, id: string, version: number, status: CalendarSyncStatus): Promise<boolean> {
    const rows = returning<{ id: string }>(await m.query(
      `UPDATE appointments SET calendar_sync_status = $3, updated_at = now() WHERE id = $1 AND version = $2 RETURNING id`,
      [id, version, status],
    ));
    return rows.length > 0;
  }

  /** Marks a sync as due, whatever the version (the sync that follows reads the current one). */
  async markPending(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE appointments SET calendar_sync_status = 'pending', updated_at = now() WHERE id = $1`, [id]);
  }

  async status(m: EntityManager, id: string, tenantId: string | undefined): Promise<CalendarSyncStatus | null> {
    const rows: { calendar_sync_status: CalendarSyncStatus }[] = await m.query(
      `SELECT calendar_sync_status FROM appointments WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return rows[0]?.calendar_sync_status ?? null;
  }
}
