import type { AppointmentSnapshot } from '../../../common/events/domain-events.js';

export type AppointmentStatus = 'confirmed' | 'cancelled' | 'completed' | 'no_show';

export interface Appointment {
  id: string;
  tenant_id: string;
  resource_id: string;
  hold_id: string | null;
  client_name: string;
  client_email: string;
  client_phone: string | null;
  service: string | null;
  start_time: Date;
  end_time: Date;
  status: AppointmentStatus;
  version: number;
  checked_in_at: Date | null;
  cancelled_at: Date | null;
  calendar_sync_status: 'none' | 'pending' | 'synced' | 'failed';
  created_at: Date;
  updated_at: Date;
}

/** The event-safe view of an appointment: ids and times, no client details. */
type Snapshotted = Pick<Appointment, 'id' | 'tenant_id' | 'resource_id' | 'start_time' | 'end_time' | 'status' | 'version' | 'service' | 'calendar_sync_status'>;

/** The snapshot of an appointment about to be inserted with exactly these values (see `NewAppointmentRow`). */
export function newSnapshot(a: Omit<Snapshotted, 'start_time' | 'end_time'> & { start: Date; end: Date }): AppointmentSnapshot {
  return snapshot({ ...a, start_time: a.start, end_time: a.end });
}

export function snapshot(a: Snapshotted): AppointmentSnapshot {
  return {
    id: a.id,
    tenant_id: a.tenant_id,
    resource_id: a.resource_id,
    start: a.start_time.toISOString(),
    end: a.end_time.toISOString(),
    status: a.status,
    version: a.version,
    service: a.service,
    calendar_sync_status: a.calendar_sync_status,
  };
}
