/**
 * Wall-clock arithmetic in IANA time zones on top of Intl.DateTimeFormat (no date library), for
 * the policy engine (quiet hours, lead times) and the booking core (slots, business hours).
 * Formatters are cached per zone, with a one-minute memo of the offset.
 *
 * Instants are epoch milliseconds. A "local" date/time is the wall clock reading in a zone.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MAX_TIME_ZONE_LENGTH = 64;
const MAX_CACHED_ZONES = 1_000;
const TIME_ZONE_SHAPE = /^[A-Za-z0-9_+\-/]+$/;

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
}

export interface ZonedParts extends LocalDateTime {
  second: number;
  /** hour * 60 + minute */
  minuteOfDay: number;
}

interface ZoneEntry {
  readonly format: Intl.DateTimeFormat;
  /** One-entry memo: evaluations cluster around "now", so most lookups hit the same UTC minute. */
  minute: number;
  offsetMs: number;
  /**
   * Offsets of whole UTC hours (bounded): bookings, slots and reminders cluster in hours, not in
   * one minute. NaN marks an hour with a transition inside, looked up to the second instead.
   */
  readonly hours: Map<number, number>;
}

const MAX_CACHED_HOURS = 20_000;

const zones = new Map<string, ZoneEntry>();

function zoneEntry(timeZone: string): ZoneEntry {
  let entry = zones.get(timeZone);
  if (entry === undefined) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    // Case variants of a zone name are all accepted by Intl, so the key space is not bounded.
    if (zones.size >= MAX_CACHED_ZONES) zones.clear();
    entry = { format, minute: Number.NaN, offsetMs: 0, hours: new Map() };
    zones.set(timeZone, entry);
  }
  return entry;
}

/** True when `timeZone` is an IANA zone name (or alias) known to this runtime's Intl. */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string') return false;
  if (timeZone.length === 0 || timeZone.length > MAX_TIME_ZONE_LENGTH) return false;
  if (!TIME_ZONE_SHAPE.test(timeZone)) return false;
  try {
    zoneEntry(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms of a UTC date-time; unlike Date.UTC, years 0-99 are taken literally. */
export function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

/** Offset of the zone's wall clock from UTC at `instantMs`, in ms (Berlin in winter: +3_600_000). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const entry = zoneEntry(timeZone);
  const minute = Math.floor(instantMs / MINUTE_MS);
  if (entry.minute === minute) return entry.offsetMs;
  const hourStart = Math.floor(instantMs / HOUR_MS) * HOUR_MS;
  let offsetMs = entry.hours.get(hourStart);
  if (offsetMs === undefined) {
    // the same offset at the hour's first and last second: none in between differs (no zone
    // changes its offset and back within an hour)
    const first = offsetAt(entry.format, hourStart);
    const whole = offsetAt(entry.format, hourStart + HOUR_MS - 1000) === first;
    if (entry.hours.size >= MAX_CACHED_HOURS) entry.hours.clear();
    entry.hours.set(hourStart, whole ? first : Number.NaN);
    offsetMs = whole ? first : Number.NaN;
  }
  if (Number.isNaN(offsetMs)) offsetMs = offsetAt(entry.format, instantMs);
  entry.minute = minute;
  entry.offsetMs = offsetMs;
  return offsetMs;
}

/** The zone's offset at `instantMs` (to the second), read from the formatter. */
function offsetAt(format: Intl.DateTimeFormat, instantMs: number): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let second = 0;
  for (const part of format.formatToParts(wholeSecond)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        // Some ICU versions render midnight as 24 even with h23.
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        min = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  return utcFromFields(year, month, day, hour, min, second) - wholeSecond;
}

/** Wall clock reading of `instantMs` in `timeZone`. */
export function toZonedParts(instantMs: number, timeZone: string): ZonedParts {
  const local = new Date(instantMs + zoneOffsetMs(instantMs, timeZone));
  const hour = local.getUTCHours();
  const minute = local.getUTCMinutes();
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour,
    minute,
    second: local.getUTCSeconds(),
    minuteOfDay: hour * 60 + minute,
  };
}

/** Local minute of the day (0-1439) of `instantMs` in `timeZone`; allocation free. */
export function localMinuteOfDay(instantMs: number, timeZone: string): number {
  const localMs = instantMs + zoneOffsetMs(instantMs, timeZone);
  const msOfDay = ((localMs % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(msOfDay / MINUTE_MS);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(utcFromFields(date.year, date.month, date.day) + days * DAY_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/**
 * First whole second in (fromMs, toMs] at which the zone's offset differs from its offset at fromMs,
 * or null when the offsets at both ends are equal.
 */
export function findOffsetTransition(fromMs: number, toMs: number, timeZone: string): number | null {
  let lo = Math.floor(fromMs / 1000);
  let hi = Math.ceil(toMs / 1000);
  const before = zoneOffsetMs(lo * 1000, timeZone);
  if (zoneOffsetMs(hi * 1000, timeZone) === before) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(mid * 1000, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/**
 * Every instant whose wall clock in `timeZone` reads exactly `local` (seconds = 0), ascending:
 * none inside a DST gap, two inside a DST overlap.
 */
export function wallTimeInstants(local: LocalDateTime, timeZone: string): number[] {
  const asUtc = utcFromFields(local.year, local.month, local.day, local.hour, local.minute);
  // Offsets never exceed ±14h, so every candidate lies within a day of asUtc; sampling both
  // sides catches the offsets before and after any transition in that range.
  const offsets = new Set<number>();
  for (let k = -2; k <= 2; k++) offsets.add(zoneOffsetMs(asUtc + k * 12 * HOUR_MS, timeZone));
  const instants: number[] = [];
  for (const offset of offsets) {
    const candidate = asUtc - offset;
    if (zoneOffsetMs(candidate, timeZone) === offset && !instants.includes(candidate)) {
      instants.push(candidate);
    }
  }
  return instants.sort((a, b) => a - b);
}

/**
 * The instant at which the wall clock in `timeZone` reads `local`.
 * Overlap (clock set back): the first occurrence.
 * Gap (clock set forward, time does not exist): the first instant after the gap, i.e. the
 * transition itself, the earliest instant whose wall clock reads at or past `local`.
 */
export function zonedWallTimeToInstant(local: LocalDateTime, timeZone: string): number {
  const instants = wallTimeInstants(local, timeZone);
  if (instants.length > 0) return instants[0]!;
  return resolveGap(local, timeZone);
}

function resolveGap(local: LocalDateTime, timeZone: string): number {
  const asUtc = utcFromFields(local.year, local.month, local.day, local.hour, local.minute);
  const before = zoneOffsetMs(asUtc - DAY_MS, timeZone);
  const after = zoneOffsetMs(asUtc + DAY_MS, timeZone);
  const lo = asUtc - Math.max(before, after);
  const hi = asUtc - Math.min(before, after);
  return findOffsetTransition(lo, hi, timeZone) ?? asUtc - before;
}

/** Whether a local minute of the day lies in the daily window [start, end); end < start wraps midnight. */
export function inDailyWindow(minuteOfDay: number, startMinute: number, endMinute: number): boolean {
  if (startMinute < endMinute) return minuteOfDay >= startMinute && minuteOfDay < endMinute;
  if (startMinute > endMinute) return minuteOfDay >= startMinute || minuteOfDay < endMinute;
  return false;
}

/**
 * When `nowMs` is inside the daily local window [start, end) of `timeZone`, the first instant
 * after it at which the wall clock is outside the window; null when `nowMs` is outside.
 * The window is left either when the clock reaches `end` (a nonexistent `end` is reached at
 * the DST transition) or when a DST transition throws the clock out of the window.
 */
export function dailyWindowExit(
  nowMs: number,
  timeZone: string,
  startMinute: number,
  endMinute: number,
): number | null {
  const inside = (instant: number): boolean =>
    inDailyWindow(localMinuteOfDay(instant, timeZone), startMinute, endMinute);
  if (!inside(nowMs)) return null;
  const today = toZonedParts(nowMs, timeZone);
  const hour = Math.floor(endMinute / 60);
  const minute = endMinute % 60;
  let previous = nowMs;
  for (let days = 0; days <= 2; days++) {
    const local = { ...addDays(today, days), hour, minute };
    const found = wallTimeInstants(local, timeZone);
    const candidates = found.length > 0 ? found : [resolveGap(local, timeZone)];
    for (const candidate of candidates) {
      if (candidate <= previous) continue;
      if (zoneOffsetMs(previous, timeZone) !== zoneOffsetMs(candidate, timeZone)) {
        const transition = findOffsetTransition(previous, candidate, timeZone);
        if (transition !== null && transition > nowMs && !inside(transition)) return transition;
      }
      if (!inside(candidate)) return candidate;
      previous = candidate;
    }
  }
  return null;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * Strict ISO 8601 instant (date, time and an explicit Z or ±HH:MM offset) to epoch ms, or null.
 * Date.parse is not used: it accepts 2026-02-30 (as March 2) and reads offset-less times in
 * the server's zone.
 */
export function parseIsoInstant(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const m = ISO_INSTANT.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millisecond = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utcFromFields(year, month, day, hour, minute, second, millisecond) - offsetMinutes * MINUTE_MS;
}

/* Booking's calendar helpers: dates as YYYY-MM-DD, times of day as HH:MM. */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: Date, timeZone: string): string {
  const p = toZonedParts(instant.getTime(), timeZone);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/** "09:30" → 570. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` (YYYY-MM-DD) `time` (HH:MM), for
 * booking slots. An ambiguous time (clock set back) is its first occurrence; a time skipped by a DST
 * gap moves forward by the gap (it keeps the offset from before the gap: 02:30 in a one-hour gap
 * is 03:30). The policy engine's `zonedWallTimeToInstant` answers the gap's end instead.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const instants = wallTimeInstants({ year, month, day, hour, minute }, timeZone);
  if (instants.length > 0) return new Date(instants[0]!);
  const wallAsUtc = utcFromFields(year, month, day, hour, minute);
  return new Date(wallAsUtc - zoneOffsetMs(wallAsUtc - DAY_MS, timeZone));
}
