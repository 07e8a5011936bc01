import type { FactoryProvider } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { CaldavCalendarProvider } from './caldav-calendar.provider.js';
import { CALENDAR_PROVIDER, type CalendarProvider } from './calendar-provider.js';
import { NoneCalendarProvider } from './none-calendar.provider.js';

/** Binds `CALENDAR_PROVIDER` to the provider `CALENDAR_PROVIDER` (the variable) names. */
export const calendarProviderFactory: FactoryProvider<CalendarProvider> = {
  provide: CALENDAR_PROVIDER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): CalendarProvider => {
    if (config.calendarProvider === 'caldav') {
      if (!config.caldavUrl) throw new Error('CALENDAR_PROVIDER=caldav: requires CALDAV_URL');
      return new CaldavCalendarProvider({
        calendarUrl: config.caldavUrl,
        username: config.caldavUsername,
        password: config.caldavPassword,
        timeoutMs: config.caldavTimeoutMs,
      });
    }
    return new NoneCalendarProvider();
  },
};
