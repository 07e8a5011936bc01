/** When to try a notification again after a failed attempt, and when to give up. */
export interface RetrySchedule {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Delay before the next attempt once attempt `attempt` (1-based) failed; null: give up (the row becomes `failed`). */
  delayAfter(attempt: number, random?: () => number): number | null;
}

/** The Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const STANDARD_WEBHOOKS_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/**
 * A fixed list of delays, `delays[i]` before attempt i+1 (the first, normally 0, is the enqueue's:
 * the row is due at once). Its length is the number of attempts.
 */
export class FixedRetrySchedule implements RetrySchedule {
  readonly maxAttempts: number;
  private readonly delays: readonly number[];

  constructor(delaysMs: readonly number[]) {
    if (delaysMs.length === 0 || delaysMs.some((d) => !Number.isFinite(d) || d < 0)) {
      throw new Error('a fixed retry schedule needs at least one non-negative delay');
    }
    this.delays = [...delaysMs];
    this.maxAttempts = delaysMs.length;
  }

  delayAfter(attempt: number): number | null {
    const n = Math.max(1, Math.floor(attempt));
    return n < this.maxAttempts ? (this.delays[n] as number) : null;
  }
}

export interface ExponentialRetryOptions {
  baseMs: number;
  factor: number;
  maxMs: number;
  /** Relative spread: a delay is drawn uniformly from [d·(1−jitter), d·(1+jitter)]. */
  jitter: number;
  maxAttempts: number;
}

/** `base · factor^(attempt−1)`, capped, spread by ±jitter so rows failing together do not return together. */
export class ExponentialRetrySchedule implements RetrySchedule {
  readonly maxAttempts: number;

  constructor(private readonly options: ExponentialRetryOptions) {
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  }

  delayAfter(attempt: number, random: () => number = Math.random): number | null {
    const n = Math.max(1, Math.floor(attempt));
    if (n >= this.maxAttempts) return null;
    const { baseMs, factor, maxMs } = this.options;
    const jitter = Math.min(Math.max(this.options.jitter, 0), 1);
    const nominal = Math.min(maxMs, baseMs * Math.pow(factor, Math.min(n - 1, 1024)));
    return Math.max(0, Math.round(nominal + nominal * jitter * (2 * random() - 1)));
  }
}
