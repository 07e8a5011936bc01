const MAX_PENDING = 1024;
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Wakes the runner when a known future run_at comes due (a retry's backoff, a reminder enqueued
 * here or announced by NOTIFY), instead of at the next poll. Keeps the earliest times only; the
 * poll covers whatever is dropped.
 */
export class JobWakeTimer {
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  private stopped = false;

  constructor(private readonly onDue: () => void) {}

  at(epochMs: number): void {
    if (this.stopped) return;
    const list = this.times;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < epochMs) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo] === epochMs) return;
    list.splice(lo, 0, epochMs);
    if (list.length > MAX_PENDING) list.pop();
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const next = this.times[0];
    if (next === undefined || next >= this.armedAt || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = next;
    // A few ms late on purpose: the claim compares run_at with the database clock.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedAt = Infinity;
      const now = Date.now();
      while (this.times.length > 0 && this.times[0]! <= now + 1) this.times.shift();
      this.onDue();
      this.arm();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now() + 3)));
  }
}
