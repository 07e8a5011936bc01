import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../common/config/app-config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('calendar configuration', () => {
  it('defaults to none without CALDAV_URL and to caldav with it; CALENDAR_PROVIDER overrides', () => {
    expect(loadConfig({}).calendarProvider).toBe('none');
    expect(loadConfig({ CALDAV_URL: 'http://dav.example.com/cal/' }).calendarProvider).toBe('caldav');
    expect(loadConfig({ CALDAV_URL: 'http://dav.example.com/cal/', CALENDAR_PROVIDER: 'none' }).calendarProvider).toBe('none');
  });

  it('CALDAV_TIMEOUT_MS defaults to 10 s and is validated', () => {
    expect(loadConfig({}).caldavTimeoutMs).toBe(10_000);
    expect(loadConfig({ CALDAV_TIMEOUT_MS: '2500' }).caldavTimeoutMs).toBe(2500);
    expect(problems({ CALDAV_TIMEOUT_MS: 'soon' })[0]).toMatch(/^CALDAV_TIMEOUT_MS=/);
    expect(problems({ CALDAV_TIMEOUT_MS: '5' })[0]).toMatch(/^CALDAV_TIMEOUT_MS=/);
  });

  it('rejects an unknown provider, and caldav without a URL, naming the variable', () => {
    expect(problems({ CALENDAR_PROVIDER: 'google' })[0]).toMatch(/^CALENDAR_PROVIDER="google"/);
    expect(problems({ CALENDAR_PROVIDER: 'caldav' })).toEqual(['CALENDAR_PROVIDER=caldav: requires CALDAV_URL']);
  });
});
