import { NotificationsErrorCode, NotificationsException } from '../notifications.exception.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      throw new NotificationsException(NotificationsErrorCode.INVALID_TEMPLATE_DATA, `timezone: unknown time zone "${timeZone}"`, 'timezone');
    }
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTimeParts {
  /** "Monday, 7 July 2031" */
  date: string;
  /** "10:00" */
  time: string;
}

function toInstant(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new NotificationsException(NotificationsErrorCode.INVALID_TEMPLATE_DATA, `${field}: is not a valid time`, field);
  }
  return d;
}

/** The wall-clock date and time of an instant in an IANA zone (assembled from parts: stable across ICU versions). */
export function localTimeParts(value: Date | string, timeZone: string, field = 'start'): LocalTimeParts {
  const parts = formatter(timeZone).formatToParts(toInstant(value, field));
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('weekday')}, ${get('day')} ${get('month')} ${get('year')}`, time: `${get('hour')}:${get('minute')}` };
}

/** "Monday, 7 July 2031, 10:00 (Europe/Berlin)" */
export function formatLocalTime(value: Date | string, timeZone: string, field = 'start'): string {
  const p = localTimeParts(value, timeZone, field);
  return `${p.date}, ${p.time} (${timeZone})`;
}

/** "Monday, 7 July 2031, 10:00–10:30 (Europe/Berlin)", or both full times when the end falls on another day. */
export function formatLocalRange(start: Date | string, end: Date | string, timeZone: string, fields: [string, string] = ['start', 'end']): string {
  const s = localTimeParts(start, timeZone, fields[0]);
  const e = localTimeParts(end, timeZone, fields[1]);
  if (s.date === e.date) return `${s.date}, ${s.time}–${e.time} (${timeZone})`;
  return `${s.date}, ${s.time} – ${e.date}, ${e.time} (${timeZone})`;
}
