export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Growth per further attempt. */
  factor: number;
  /** Upper bound of a delay, before jitter. */
  maxMs: number;
  /** Relative spread: the delay is drawn uniformly from [d·(1−jitter), d·(1+jitter)]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, factor: 2, maxMs: 3_600_000, jitter: 0.2 };

/**
 * The delay before the next attempt once attempt number `attempt` (1-based) has failed:
 * `base · factor^(attempt−1)`, capped at `maxMs`, spread by ±jitter so that jobs failing together
 * do not come back together. While below the cap, a jitter under (factor−1)/(factor+1) keeps every
 * delay longer than the one before, whatever the random draws.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  // Exponent capped so a large attempt count cannot overflow to Infinity before the cap applies.
  const exponent = Math.min(n - 1, 1024);
  const nominal = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, exponent));
  const spread = nominal * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(nominal + spread));
}

/** Backoff policy with `baseMs` taken from configuration, the rest defaults. */
export function backoffPolicy(baseMs: number): BackoffPolicy {
  return { ...DEFAULT_BACKOFF, baseMs, maxMs: Math.max(DEFAULT_BACKOFF.maxMs, baseMs) };
}
