import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHooks } from './transaction-hooks.js';

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

  /** Inside the transaction that made `count` jobs runnable, the earliest at `runAtMs`. */
  async announce(m: EntityManager, runAtMs: number, count: number): Promise<void> {
    const runner = this.runner;
    if (runner) {
      this.hooks.afterCommit(m, () => runner.jobsAt(runAtMs));
      // A job due later is timed locally; the other processes' polls back this process up.
      if (runAtMs > Date.now() + FUTURE_SLACK_MS || runner.offer(count)) return;
    }
    const notified = this.hooks.local<number>(m, NOTIFIED);
    const already = notified?.get();
    if (already !== undefined && already <= runAtMs) return;
    notified?.set(runAtMs);
    await m.query(`SELECT pg_notify('${JOBS_CHANNEL}', $1)`, [String(runAtMs)]);
  }
}
