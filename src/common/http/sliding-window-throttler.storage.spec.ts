import { describe, expect, it } from 'vitest';
import { SlidingWindowThrottlerStorage } from './sliding-window-throttler.storage.js';

const MINUTE = 60_000;

function storage(start = 1_700_000_000_000) {
  let now = start;
  const s = new SlidingWindowThrottlerStorage(() => now);
  return { s, at: (ms: number) => (now = start + ms), hit: (key = 'default:1.2.3.4', limit = 5, block = MINUTE) => s.increment(key, MINUTE, limit, block, 'default') };
}

describe('SlidingWindowThrottlerStorage', () => {
  it('counts the hits of the last minute, per key, and blocks the one over the limit for the block duration', async () => {
    const { hit, at } = storage();
    for (let i = 1; i <= 5; i++) {
      at(i * 1000);
      expect(await hit()).toMatchObject({ totalHits: i, isBlocked: false, timeToBlockExpire: 0 });
    }
    expect(await hit('default:5.6.7.8')).toMatchObject({ totalHits: 1, isBlocked: false });
    at(10_000);
    const over = await hit();
    expect(over).toMatchObject({ totalHits: 6, isBlocked: true, timeToBlockExpire: 60 });
    // blocked: not counted, and the block runs down
    at(40_000);
    expect(await hit()).toMatchObject({ totalHits: 6, isBlocked: true, timeToBlockExpire: 30 });
    // after the block, the client starts from nothing
    at(70_001);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('slides: a hit leaves the window a minute after its second, not at a fixed boundary', async () => {
    const { hit, at } = storage();
    at(0);
    await hit();
    at(30_000);
    await hit();
    at(59_999);
    expect((await hit()).totalHits).toBe(3);
    at(60_000); // the first hit's second is now a minute old
    expect((await hit()).totalHits).toBe(3);
    at(90_000); // and the one at 30 s
    expect((await hit()).totalHits).toBe(3);
    at(10 * MINUTE); // everything left
    expect((await hit()).totalHits).toBe(1);
  });

  it('tells when the oldest counted hit leaves (X-RateLimit-Reset)', async () => {
    const { hit, at } = storage();
    at(0);
    await hit();
    at(45_500);
    expect((await hit()).timeToExpire).toBe(15);
  });

  it('without a block duration, refuses what is over the limit without counting it', async () => {
    const { hit, at } = storage();
    at(0);
    for (let i = 0; i < 3; i++) await hit(undefined, 3, 0);
    expect(await hit(undefined, 3, 0)).toMatchObject({ totalHits: 4, isBlocked: true });
    at(61_000);
    expect(await hit(undefined, 3, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps constant work and memory per client however many hits it has in its window', async () => {
    const { s, hit, at } = storage();
    at(0);
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) await hit('default:proxy', 1_000_000);
    // the library's default storage filters a list of every hit on each request: quadratic here
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await hit('default:proxy', 1_000_000)).totalHits).toBe(200_001);
    expect(s.size).toBe(1);
  });

  it('forgets idle clients', async () => {
    const { s, hit, at } = storage();
    at(0);
    await hit('default:a');
    await hit('default:b');
    at(30_000);
    await hit('default:b');
    s.sweep();
    expect(s.size).toBe(2);
    at(61_000);
    s.sweep();
    expect(s.size).toBe(1); // b's hit at 30 s is still in its window
    at(91_000);
    s.sweep();
    expect(s.size).toBe(0);
  });
});
