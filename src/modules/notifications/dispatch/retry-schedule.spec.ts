import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../common/config/app-config.js';
import { NotificationRetryPolicy } from './notification-retry-policy.js';
import { ExponentialRetrySchedule, FixedRetrySchedule, STANDARD_WEBHOOKS_SCHEDULE_MS } from './retry-schedule.js';

const mid = () => 0.5;

describe('FixedRetrySchedule (Standard Webhooks)', () => {
  const s = new FixedRetrySchedule(STANDARD_WEBHOOKS_SCHEDULE_MS);

  it('retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up after the 8th attempt', () => {
    expect(s.maxAttempts).toBe(8);
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => s.delayAfter(a))).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(s.delayAfter(8)).toBeNull();
    expect(s.delayAfter(9)).toBeNull();
  });

  it('treats attempt numbers below 1 as the first', () => {
    expect(s.delayAfter(0)).toBe(5_000);
  });

  it('can be shortened (tests) and refuses an empty or negative schedule', () => {
    const short = new FixedRetrySchedule([0, 100, 200]);
    expect([1, 2, 3].map((a) => short.delayAfter(a))).toEqual([100, 200, null]);
    expect(() => new FixedRetrySchedule([])).toThrow();
    expect(() => new FixedRetrySchedule([0, -1])).toThrow();
  });
});

describe('ExponentialRetrySchedule', () => {
  const s = new ExponentialRetrySchedule({ baseMs: 5_000, factor: 3, maxMs: 3_600_000, jitter: 0.1, maxAttempts: 8 });

  it('triples from the base delay (middle of the jitter) and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => s.delayAfter(a, mid))).toEqual([5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000, 3_600_000]);
  });

  it('gives up once maxAttempts attempts failed', () => {
    expect(s.delayAfter(8, mid)).toBeNull();
  });

  it('spreads by exactly ±jitter at the extremes of the draw', () => {
    expect(s.delayAfter(2, () => 0)).toBe(13_500);
    expect(s.delayAfter(2, () => 0.999999)).toBe(16_500);
  });

  it('never answers a negative or non-finite delay, even for huge attempt numbers', () => {
    const long = new ExponentialRetrySchedule({ baseMs: 10, factor: 3, maxMs: 1000, jitter: 1, maxAttempts: 1_000_000 });
    for (const a of [1, 2, 50, 5000, 999_999]) {
      for (const r of [0, 0.5, 0.999]) {
        const d = long.delayAfter(a, () => r)!;
        expect(Number.isFinite(d) && d >= 0 && d <= 2000).toBe(true);
      }
    }
  });
});

describe('NotificationRetryPolicy', () => {
  it('uses the Standard Webhooks schedule for webhooks and the configured backoff for email and SMS', () => {
    const p = new NotificationRetryPolicy(loadConfig({ NODE_ENV: 'test' }));
    expect(p.for('webhook').maxAttempts).toBe(8);
    expect(p.for('webhook').delayAfter(1)).toBe(5_000);
    expect(p.for('email').maxAttempts).toBe(8);
    expect(p.for('sms').delayAfter(1, mid)).toBe(5_000);
  });

  it('takes shorter schedules from the environment', () => {
    const p = new NotificationRetryPolicy(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100', NOTIFICATION_BACKOFF_BASE_MS: '20', NOTIFICATION_MAX_ATTEMPTS: '3' }),
    );
    expect([1, 2, 3].map((a) => p.for('webhook').delayAfter(a))).toEqual([50, 100, null]);
    expect([1, 2, 3].map((a) => p.for('email').delayAfter(a, mid))).toEqual([20, 60, null]);
  });

  it('refuses a malformed schedule at start-up, naming the variable', () => {
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '0,5s' })).toThrow(/WEBHOOK_RETRY_SCHEDULE_MS/);
  });
});
