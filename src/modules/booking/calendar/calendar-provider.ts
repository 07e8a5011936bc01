/** One appointment as a calendar shows it: times and a neutral title, no client details. */
export interface CalendarEvent {
  /** Stable per appointment (`<appointment-id>@agent-runtime`); it also names the stored object. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  /** The tenant's IANA time zone, a display hint for calendar clients (times are written in UTC). */
  timezone: string;
}

/**
 * The port the booking module writes appointments through. Both operations are idempotent:
 * `upsert` creates or replaces the event named by `uid`; `remove` of an absent event succeeds.
 * A failure rejects (the caller records it); nothing here retries.
 */
export interface CalendarProvider {
  /** `none` writes nowhere: the sync leaves appointments untouched. */
  readonly name: 'none' | 'caldav';
  upsert(event: CalendarEvent): Promise<void>;
  remove(uid: string): Promise<void>;
}

/** Injection token of the configured `CalendarProvider`. */
export const CALENDAR_PROVIDER = Symbol('CALENDAR_PROVIDER');
