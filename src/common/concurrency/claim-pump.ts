import type { Logger } from '@nestjs/common';

/** What a claim loop pumps from: its free capacity, the claim itself, and what to do with the claimed. */
export interface ClaimSource<T> {
  /** False once the owner stops: nothing is claimed any more. */
  running(): boolean;
  /** Free slots now. */
  free(): number;
  /** Optional: whether to claim at all this time (false claims nothing; not an error). */
  gate?(): Promise<boolean>;
  claim(limit: number): Promise<T[]>;
  /** The claimed items, in claim order (the owner launches them). */
  claimed(items: T[]): void;
  /** A claim error's message, as it may be logged. */
  describe(e: unknown): string;
}

/** How freed slots are gathered into one claim while work is waiting. */
export interface ClaimBatching {
  /** Claim at once when this many slots are free (at most the owner's capacity). */
  slots: number;
  /** Otherwise claim this long after the first slot came free. */
  gatherMs: number;
}

const NO_GATHERING: ClaimBatching = { slots: 1, gatherMs: 0 };

/**
 * The claim loop shared by the job runner and the notification dispatcher: claims only what fits
 * the free slots, coalesces wake-ups within a tick into one claim (setImmediate), claims again while
 * a claim came back full, and backs off exponentially (100 ms … 5 s) while claims fail, logging
 * the first failure and every twentieth.
 *
 * While work is waiting (the last claim came back full), a freed slot is not claimed alone at once:
 * the pump waits until `batching.slots` are free or `batching.gatherMs` has passed, so jobs claimed
 * together run, audit and settle together instead of one round trip each (a wake-up from outside,
 * new work, still claims at once).
 */
export class ClaimPump<T> {
  private wanted = false;
  private scheduled = false;
  private pumping: Promise<void> | null = null;
  private errors = 0;
  private pausedUntil = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private gatherTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: ClaimSource<T>,
    private readonly logger: Logger,
    private readonly batching: ClaimBatching = NO_GATHERING,
  ) {}

  /** Claim now if there is room (a poll tick, a notification, new work). */
  wake(): void {
    this.wanted = true;
    this.schedule();
  }

  /** A slot came free: claim again if the last claim left work behind (gathering freed slots first). */
  slotFreed(): void {
    if (!this.wanted) return;
    if (this.source.free() >= this.batching.slots) {
      this.schedule();
      return;
    }
    this.gatherTimer ??= setTimeout(() => {
      this.gatherTimer = null;
      this.schedule();
    }, this.batching.gatherMs);
  }

  /** Stops the timers and waits for a claim under way. */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    if (this.pumping) await this.pumping;
  }

  private schedule(): void {
    if (this.scheduled || !this.source.running()) return;
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    this.scheduled = true;
    // setImmediate: wake-ups and slots freed in the same tick make one claim.
    setImmediate(() => {
      this.scheduled = false;
      if (this.pumping) return;
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        if (this.wanted && this.source.free() > 0) this.schedule();
      });
    });
  }

  private async pump(): Promise<void> {
    const s = this.source;
    while (s.running() && this.wanted && s.free() > 0 && Date.now() >= this.pausedUntil) {
      this.wanted = false;
      if (s.gate && !(await s.gate())) return;
      const free = s.free();
      let items: T[];
      try {
        items = await s.claim(free);
      } catch (e) {
        this.failed(e);
        return;
      }
      if (this.errors > 0) this.logger.log(`claiming again after ${this.errors} failed attempt(s)`);
      this.errors = 0;
      s.claimed(items);
      if (items.length === free) this.wanted = true;
    }
  }

  private failed(e: unknown): void {
    this.errors++;
    const delay = Math.min(5000, 100 * 2 ** Math.min(this.errors - 1, 10));
    if (this.errors === 1 || this.errors % 20 === 0) {
      this.logger.warn(`claim failed (${this.errors} in a row), retrying in ${delay} ms: ${this.source.describe(e)}`);
    }
    this.pausedUntil = Date.now() + delay;
    this.wanted = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, delay);
  }
}
