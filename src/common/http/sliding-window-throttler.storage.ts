import type { ThrottlerStorage } from '@nestjs/throttler';

/** Slots per window: hits are counted to 1/SLOTS of the window (1 s for a one-minute limit). */
const SLOTS = 60;

interface Counter {
  /** Hits per slot; slot `i` holds the hits of the time slot whose number is ≡ i (mod SLOTS). */
  readonly slots: Uint32Array;
  /** The newest slot number counted (time / slot length). */
  head: number;
  /** Hits in the window: the sum of `slots`. */
  total: number;
  /** When a block (limit exceeded) ends, epoch ms; 0 when not blocked. */
  blockedUntil: number;
  readonly ttl: number;
}

/** The library's answer type (not exported from its index). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The rate limiter's counters, O(1) per request. The library's default storage keeps one timestamp
 * per hit and filters that list on every request: with every client behind one proxy address (or
 * one busy caller) at the default limit of 100,000 a minute, each request copied up to 100,000
 * numbers. Measured on bench:booking, where every request comes from 127.0.0.1, skipping the limiter
 * gave 5-6 % more bookings a second.
 *
 * Here a window of `ttl` is SLOTS slots of hit counts, with a running total: a hit expires with its
 * slot, up to ttl/SLOTS early. The answers keep the library's meaning: over the limit, the client is
 * blocked for `blockDuration` (its hits are then not counted) and starts from zero after it.
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage {
  private readonly counters = new Map<string, Counter>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const c = this.counter(key, ttl, now);
    if (blockDuration <= 0) {
      // no block: a request over the limit is refused and not counted
      const refused = c.total >= limit;
      if (!refused) this.hit(c, now);
      return { totalHits: c.total + (refused ? 1 : 0), timeToExpire: this.secondsToExpiry(c, now), isBlocked: refused, timeToBlockExpire: refused ? this.secondsToExpiry(c, now) : 0 };
    }
    if (c.blockedUntil !== 0 && c.blockedUntil <= now) {
      // the block is over: the client starts again from nothing
      c.slots.fill(0);
      c.total = 0;
      c.blockedUntil = 0;
    }
    if (c.blockedUntil === 0) {
      this.hit(c, now);
      if (c.total > limit) c.blockedUntil = now + blockDuration;
    }
    const blocked = c.blockedUntil !== 0;
    return {
      totalHits: c.total,
      timeToExpire: this.secondsToExpiry(c, now),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((c.blockedUntil - now) / 1000) : 0,
    };
  }

  /** Counters kept (one per client and limit). */
  get size(): number {
    return this.counters.size;
  }

  /** Drops the counters of clients with nothing in their window and no block. */
  sweep(now = this.now()): void {
    for (const [key, c] of this.counters) {
      this.advance(c, now);
      if (c.total === 0 && (c.blockedUntil === 0 || c.blockedUntil <= now)) this.counters.delete(key);
    }
  }

  private counter(key: string, ttl: number, now: number): Counter {
    let c = this.counters.get(key);
    if (c === undefined || c.ttl !== ttl) {
      c = { slots: new Uint32Array(SLOTS), head: this.slotOf(ttl, now), total: 0, blockedUntil: 0, ttl };
      this.counters.set(key, c);
      this.startSweeping(ttl);
    } else {
      this.advance(c, now);
    }
    return c;
  }

  private hit(c: Counter, now: number): void {
    this.advance(c, now);
    c.slots[c.head % SLOTS]!++;
    c.total++;
  }

  /** Moves the window to `now`: slots that fell out of it are emptied and leave the total. */
  private advance(c: Counter, now: number): void {
    const slot = this.slotOf(c.ttl, now);
    if (slot <= c.head) return;
    const expired = Math.min(slot - c.head, SLOTS);
    for (let s = c.head + 1; s <= c.head + expired; s++) {
      const i = s % SLOTS;
      c.total -= c.slots[i]!;
      c.slots[i] = 0;
    }
    c.head = slot;
  }

  /** Seconds until the oldest counted hit leaves the window (the window's length when there is none). */
  private secondsToExpiry(c: Counter, now: number): number {
    const slotMs = c.ttl / SLOTS;
    for (let age = SLOTS - 1; age >= 0; age--) {
      if (c.slots[(c.head - age + SLOTS * 2) % SLOTS] === 0) continue;
      const leavesAt = (c.head - age + 1) * slotMs + c.ttl - slotMs;
      return Math.max(1, Math.ceil((leavesAt - now) / 1000));
    }
    return Math.ceil(c.ttl / 1000);
  }

  private slotOf(ttl: number, now: number): number {
    return Math.floor(now / (ttl / SLOTS));
  }

  private startSweeping(ttl: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, ttl));
    this.sweeper.unref();
  }
}
