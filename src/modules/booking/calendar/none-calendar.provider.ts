import type { CalendarEvent, CalendarProvider } from './calendar-provider.js';

/** The default provider: no calendar is configured, so nothing is written anywhere. */
export class NoneCalendarProvider implements CalendarProvider {
  readonly name = 'none' as const;

  async upsert(_event: CalendarEvent): Promise<void> {}

  async remove(_uid: string): Promise<void> {}
}
