import { deleteObject, getBasicAuthHeaders, updateObject } from 'tsdav';
import type { CalendarEvent, CalendarProvider } from './calendar-provider.js';
import { CalendarWriteError } from './calendar-write.error.js';
import { renderICalendar } from './icalendar.js';

export interface CaldavOptions {
  /** The calendar collection's URL; objects are stored directly inside it. */
  calendarUrl: string;
  username?: string;
  /** Secret: never logged. */
  password?: string;
  timeoutMs: number;
}

/**
 * Writes events to a CalDAV calendar collection with `tsdav`. Each event lives at a URL derived
 * from its UID, so a create, an update and a retry are the same unconditional PUT, and a delete of
 * an object that is already gone is a success.
 */
export class CaldavCalendarProvider implements CalendarProvider {
  readonly name = 'caldav' as const;
  private readonly collection: URL;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: CaldavOptions) {
    this.collection = new URL(options.calendarUrl.endsWith('/') ? options.calendarUrl : `${options.calendarUrl}/`);
    this.headers = options.username !== undefined ? getBasicAuthHeaders({ username: options.username, password: options.password ?? '' }) : {};
  }

  /** The object's URL inside the collection: `<collection>/<url-encoded uid>.ics`. */
  objectUrl(uid: string): string {
    return new URL(`${encodeURIComponent(uid)}.ics`, this.collection).href;
  }

  async upsert(event: CalendarEvent): Promise<void> {
    const res = await updateObject({
      url: this.objectUrl(event.uid),
      data: renderICalendar(event),
      headers: { ...this.headers, 'content-type': 'text/calendar; charset=utf-8' },
      fetchOptions: { signal: AbortSignal.timeout(this.options.timeoutMs) },
    });
    await this.expect('PUT', res, [200, 201, 204]);
  }

  async remove(uid: string): Promise<void> {
    const res = await deleteObject({
      url: this.objectUrl(uid),
      headers: this.headers,
      fetchOptions: { signal: AbortSignal.timeout(this.options.timeoutMs) },
    });
    await this.expect('DELETE', res, [200, 204, 404, 410]);
  }

  private async expect(method: string, res: Response, ok: number[]): Promise<void> {
    await res.body?.cancel().catch(() => undefined); // the body is not needed; free the connection
    if (!ok.includes(res.status)) throw new CalendarWriteError(method, res.status, res.statusText);
  }
}
