import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffPolicy, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

const noJitter: BackoffPolicy = { ...DEFAULT_BACKOFF, jitter: 0 };

describe('backoffDelayMs', () => {
  it('doubles from the base delay without jitter', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, noJitter))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
  });

  it('stops growing at the cap', () => {
    expect(backoffDelayMs(13, noJitter)).toBe(3_600_000);
    expect(backoffDelayMs(1_000_000, noJitter)).toBe(3_600_000);
  });

  it('spreads by exactly ±jitter at the extremes of the random draw', () => {
    expect(backoffDelayMs(2, DEFAULT_BACKOFF, () => 0)).toBe(8_000);
    expect(backoffDelayMs(2, DEFAULT_BACKOFF, () => 0.5)).toBe(10_000);
    expect(backoffDelayMs(2, DEFAULT_BACKOFF, () => 0.999999)).toBe(12_000);
  });

  it('treats attempt numbers below 1 (or fractional) as the first attempt', () => {
    expect(backoffDelayMs(0, noJitter)).toBe(5_000);
    expect(backoffDelayMs(-3, noJitter)).toBe(5_000);
    expect(backoffDelayMs(2.7, noJitter)).toBe(10_000);
  });

  it('never answers a negative, NaN or infinite delay', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const d = backoffDelayMs(attempt, DEFAULT_BACKOFF, () => r);
        return Number.isFinite(d) && d >= 0 && d <= DEFAULT_BACKOFF.maxMs * 1.2 + 1;
      }),
    );
  });

  it('keeps each delay longer than the previous one below the cap, whatever the jitter draws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r1, r2) => backoffDelayMs(attempt + 1, DEFAULT_BACKOFF, () => r2) > backoffDelayMs(attempt, DEFAULT_BACKOFF, () => r1),
      ),
    );
  });

  it('takes the base delay from configuration', () => {
    const p = { ...backoffPolicy(100), jitter: 0 };
    expect([1, 2, 3].map((a) => backoffDelayMs(a, p))).toEqual([100, 200, 400]);
  });
});
