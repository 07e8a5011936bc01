import { redactText } from '../../../common/redaction/index.js';
import type { Appointment } from '../appointments/appointment.types.js';
import type { CalendarEvent } from './calendar-provider.js';

const UID_DOMAIN = 'agent-runtime';

/** The event UID of an appointment; the same appointment always maps to the same calendar object. */
export function appointmentEventUid(appointmentId: string): string {
  return `${appointmentId}@${UID_DOMAIN}`;
}

function localRange(start: Date, end: Date, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${day.format(start)}, ${time.format(start)}–${time.format(end)} (${timeZone})`;
}

/**
 * What the calendar shows for an appointment: the service and a short reference, never the
 * client's name, email or phone (the service text is free-form, so it is redacted too).
 */
export function appointmentCalendarEvent(apt: Pick<Appointment, 'id' | 'service' | 'start_time' | 'end_time'>, timezone: string): CalendarEvent {
  const reference = apt.id.replace(/-/g, '').slice(0, 8).toUpperCase();
  const service = apt.service ? redactText(apt.service).slice(0, 120) : 'Appointment';
  return {
    uid: appointmentEventUid(apt.id),
    start: apt.start_time,
    end: apt.end_time,
    summary: `${service} · ref ${reference}`,
    description: `Booking reference ${reference}\n${localRange(apt.start_time, apt.end_time, timezone)}`,
    timezone,
  };
}
