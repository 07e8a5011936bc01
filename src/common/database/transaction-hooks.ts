import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

interface TxState {
  afterCommit: (() => void)[];
  afterRollback: (() => void)[];
  locals: Map<symbol, unknown>;
}

/**
 * Runs callbacks after the caller's transaction commits (and drops them if it rolls back), so
 * in-process effects of a transition — waking the runner, the status feed — never announce a job
 * that does not exist; and keeps per-transaction values (what was already notified). Built on
 * TypeORM's transaction subscriber events.
 */
@Injectable()
export class TransactionHooks implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TransactionHooks');
  private readonly open = new WeakMap<QueryRunner, TxState>();
  private readonly subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: (e: TransactionCommitEvent) => this.ended(e.queryRunner, 'afterCommit'),
    afterTransactionRollback: (e: TransactionRollbackEvent) => this.ended(e.queryRunner, 'afterRollback'),
  };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    this.db.subscribers.push(this.subscriber);
  }

  onModuleDestroy(): void {
    const i = this.db.subscribers.indexOf(this.subscriber);
    if (i >= 0) this.db.subscribers.splice(i, 1);
  }

  /**
   * `fn` runs once `m`'s transaction has committed; at once when `m` is not in a transaction.
   * `onRollback`, if given, runs instead when the transaction rolls back.
   */
  afterCommit(m: EntityManager, fn: () => void, onRollback?: () => void): void {
    const state = this.state(m);
    if (!state) return fn();
    state.afterCommit.push(fn);
    if (onRollback) state.afterRollback.push(onRollback);
  }

  /** A value kept for the life of `m`'s transaction; undefined outside a transaction. */
  local<T>(m: EntityManager, key: symbol): { get(): T | undefined; set(v: T): void } | undefined {
    const state = this.state(m);
    if (!state) return undefined;
    return { get: () => state.locals.get(key) as T | undefined, set: (v) => void state.locals.set(key, v) };
  }

  /** The transaction of `qr` ended: its callbacks for that end run, once, and its state goes. */
  private ended(qr: QueryRunner, which: 'afterCommit' | 'afterRollback'): void {
    // A released savepoint also reports a commit (a rolled-back one, a rollback); only the outermost end is final.
    if (qr.isTransactionActive) return;
    const state = this.open.get(qr);
    if (!state) return;
    this.open.delete(qr);
    // The transaction is over: a throwing callback must not make the caller think it failed.
    for (const fn of state[which]) {
      try {
        fn();
      } catch (err) {
        this.logger.warn(`${which} callback failed: ${String(err)}`);
      }
    }
  }

  private state(m: EntityManager): TxState | undefined {
    const qr = m.queryRunner;
    if (!qr || !qr.isTransactionActive) return undefined;
    let state = this.open.get(qr);
    if (!state) {
      state = { afterCommit: [], afterRollback: [], locals: new Map() };
      this.open.set(qr, state);
    }
    return state;
  }
}
