import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SlotPromise } from '../../common/concurrency/slot-promises.js';
import { TransactionHooks } from '../../common/database/transaction-hooks.js';
import type { Job } from './job.types.js';

export const JOBS_CHANNEL = 'agent_jobs';
const FUTURE_SLACK_MS = 50;
/** Per transaction: the earliest run_at it already notified. */
const NOTIFIED = Symbol('jobs-notified');

/** The local runner, as the signal sees it. */
export interface LocalRunner {
  /** Jobs became runnable at `runAtMs` (epoch ms; now or later). */
  jobsAt(runAtMs: number): void;
  /** Whether it will take `count` jobs due now: it reserves the room until its next claim. */
  offer(count: number): boolean;
  /** Up to `count` free slots for jobs claimed for it as they are inserted; null when it takes none. */
  promise(count: number): { workerId: string; leaseMs: number; slots: SlotPromise } | null;
  /** Runs jobs claimed for it at insert (their transaction committed), freeing what they did not use. */
  adopt(slots: SlotPromise, jobs: readonly Job[]): void;
  /** The transaction that was to hand jobs over did not commit. */
  unpromise(slots: SlotPromise): void;
}

/**
 * Jobs due now that the local runner takes straight from the INSERT: they are inserted already
 * claimed by it (attempt 1, leased) and start as soon as the transaction commits, without a claim
 * query or a wake-up in between.
 */
export interface JobHandover {
  readonly workerId: string;
  readonly leaseMs: number;
  /** How many of the jobs due now it takes. */
  readonly count: number;
  /** After the INSERT: `jobs` (those it inserted claimed) start once `m` commits; nothing on rollback. */
  bind(m: EntityManager, jobs: readonly Job[]): void;
  /** The INSERT failed: the slots are given back. */
  cancel(): void;
}

/**
 * Tells runners that jobs became runnable, after the transaction that made them so commits.
 * The runner of this process is woken in-process. A `NOTIFY` (one per transaction, however many
 * jobs it enqueued) is sent only when this process cannot take the jobs itself: it has no runner
 * (APP_ROLE=api) or not enough free capacity. A notifying transaction takes a database-wide lock at
 * commit, which is what makes a NOTIFY per row halve the enqueue rate.
 */
@Injectable()
export class JobSignal {
  private runner: LocalRunner | null = null;
  constructor(private readonly hooks: TransactionHooks) {}

  attach(runner: LocalRunner): void {
    this.runner = runner;
  }

  detach(runner: LocalRunner): void {
    if (this.runner === runner) this.runner = null;
  }

  /**
   * Before inserting `dueNow` jobs that are due now: the local runner's claim on as many of them as
   * it has free slots for (none when there is no runner, it is stopping, or it may not claim).
   */
  handOver(dueNow: number): JobHandover | null {
    const runner = this.runner;
    const promised = dueNow > 0 && runner ? runner.promise(dueNow) : null;
    if (!runner || !promised) return null;
    // settling a promise twice is a no-op (SlotPromises), so commit, rollback and cancel need no guard
    return {
      workerId: promised.workerId,
      leaseMs: promised.leaseMs,
      count: promised.slots.count,
      bind: (m, jobs) => this.hooks.afterCommit(m, () => runner.adopt(promised.slots, jobs), () => runner.unpromise(promised.slots)),
      cancel: () => runner.unpromise(promised.slots),
    };
  }

  /** Inside the transaction that made jobs runnable at `runAtMs` (epoch ms each, now or later). */
  async announce(m: EntityManager, runAtMs: readonly number[]): Promise<void> {
    const plan = this.prepare(m, runAtMs);
    if (plan === null) return;
    this.hooks.afterCommit(m, plan.committed);
    if (plan.notify !== null) await m.query(`SELECT pg_notify('${JOBS_CHANNEL}', $1)`, [plan.notify]);
  }

  /**
   * `announce` for a caller that sends the NOTIFY in a statement of its own: the payload to send on
   * JOBS_CHANNEL (null: the local runner takes the jobs, or this transaction already told the other
   * processes), and `committed`, to call once the jobs are committed (it wakes the local runner).
   * `m`: the transaction, or null for a statement that runs alone.
   */
  prepare(m: EntityManager | null, runAtMs: readonly number[]): { notify: string | null; committed: () => void } | null {
    if (runAtMs.length === 0) return null;
    const dueBy = Date.now() + FUTURE_SLACK_MS;
    let earliest = Infinity;
    let dueNow = 0;
    for (const t of runAtMs) {
      earliest = Math.min(earliest, t);
      if (t <= dueBy) dueNow++;
    }
    const runner = this.runner;
    const committed = runner ? () => runner.jobsAt(earliest) : () => undefined;
    // Jobs due later are timed locally (the other processes' polls back this process up); those
    // due now are this runner's if it has room for them.
    if (runner && (dueNow === 0 || runner.offer(dueNow))) return { notify: null, committed };
    const notified = m ? this.hooks.local<number>(m, NOTIFIED) : undefined;
    const already = notified?.get();
    if (already !== undefined && already <= earliest) return { notify: null, committed };
    notified?.set(earliest);
    return { notify: String(earliest), committed };
  }
}
