/** Slots of a bounded worker promised to work that is handed to it when a transaction commits. */
export interface SlotPromise {
  readonly count: number;
  readonly expiresAt: number;
}

/**
 * The slots a worker (the job runner, the notification dispatcher) has promised to work claimed for
 * it inside a transaction that has not ended yet. A promise is settled when the transaction commits
 * (the work is adopted) or rolls back (the slots come back). A promise nobody settles — a
 * transaction whose end was never reported, a connection lost mid-commit — expires after `ttlMs`,
 * so a lost hook costs a slot for a while, never for good (the work itself, if it was committed,
 * is released by its lease like any claim of a crashed worker).
 */
export class SlotPromises {
  private readonly open = new Set<SlotPromise>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  make(count: number): SlotPromise {
    const p = { count, expiresAt: this.now() + this.ttlMs };
    this.open.add(p);
    return p;
  }

  /** Ends a promise; false when it had already ended (settled before, or expired). */
  settle(p: SlotPromise): boolean {
    return this.open.delete(p) && p.expiresAt > this.now();
  }

  /** Slots held by promises neither settled nor expired. */
  count(): number {
    if (this.open.size === 0) return 0;
    const t = this.now();
    let n = 0;
    for (const p of this.open) {
      if (p.expiresAt <= t) this.open.delete(p);
      else n += p.count;
    }
    return n;
  }
}
