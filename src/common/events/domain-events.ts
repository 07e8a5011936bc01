/**
 * The typed domain events: the event name decides the payload type. Payloads carry ids and
 * non-identifying fields only; a handler that needs the client's details loads them.
 */
export interface AppointmentSnapshot {
  id: string;
  tenant_id: string;
  resource_id: string;
  start: string;
  end: string;
  status: 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  version: number;
  service: string | null;
  calendar_sync_status: 'none' | 'pending' | 'synced' | 'failed';
}

export interface HoldSnapshot {
  id: string;
  tenant_id: string;
  resource_id: string;
  start: string;
  end: string;
  expires_at: string;
}

export interface DomainEventMap {
  BookingCreated: { appointment: AppointmentSnapshot; tenant_id: string };
  BookingCancelled: { appointment: AppointmentSnapshot; tenant_id: string };
  BookingRescheduled: { old_apt: AppointmentSnapshot; new_apt: AppointmentSnapshot; tenant_id: string };
  HoldCreated: { hold: HoldSnapshot; tenant_id: string };
  HoldExpired: { hold_id: string; tenant_id: string; slot_start: string; slot_end: string };
  CalendarWriteFailed: { appointment_id: string; error: string; tenant_id: string };
}

export type DomainEventName = keyof DomainEventMap;

export const DOMAIN_EVENT_NAMES: readonly DomainEventName[] = [
  'BookingCreated',
  'BookingCancelled',
  'BookingRescheduled',
  'HoldCreated',
  'HoldExpired',
  'CalendarWriteFailed',
];

/** What is stored in `domain_events` and handed to listeners. */
export interface DomainEvent<K extends DomainEventName = DomainEventName> {
  id: string;
  type: K;
  tenant_id: string | null;
  payload: DomainEventMap[K];
  correlation_id: string | null;
  occurred_at: string;
}

/** Entity the event is about, for the audit trail. */
export function eventEntity(type: DomainEventName, payload: DomainEventMap[DomainEventName]): { type: string; id: string } {
  const p = payload as Partial<Record<string, unknown>> & Record<string, unknown>;
  switch (type) {
    case 'BookingCreated':
    case 'BookingCancelled':
      return { type: 'appointment', id: (p.appointment as AppointmentSnapshot).id };
    case 'BookingRescheduled':
      return { type: 'appointment', id: (p.new_apt as AppointmentSnapshot).id };
    case 'HoldCreated':
      return { type: 'hold', id: (p.hold as HoldSnapshot).id };
    case 'HoldExpired':
      return { type: 'hold', id: String(p.hold_id) };
    case 'CalendarWriteFailed':
      return { type: 'appointment', id: String(p.appointment_id) };
  }
}
