import type pg from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Round trips are the cost that matters on the hot paths (each is a socket write and a wake-up of
 * the server process). The pool runs pg in pipeline mode, so a statement issued while another is in
 * flight goes out at once; these helpers use that to send a transaction's opening with its first
 * statement and its COMMIT right behind its last one, without waiting for an answer in between:
 * a transaction of n statements costs n round trips instead of n + 2. They keep TypeORM's own
 * transaction bookkeeping (its after-commit subscribers still see the commit) and only change what
 * goes over the wire and when.
 */

type Send = (...args: unknown[]) => Promise<pg.QueryResult>;
type Client = pg.PoolClient & { query: Send; connection?: { stream?: { cork?(): void; uncork?(): void } } };

/**
 * Holds the client's socket writes until the returned function is called, so statements sent in
 * between leave in one write (one syscall, one wake-up of the server) instead of one each.
 */
function corked(client: Client): () => void {
  const stream = client.connection?.stream;
  if (!stream?.cork || !stream.uncork) return () => undefined;
  stream.cork();
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    stream.uncork!();
  };
}

/** The opening of a transaction not sent yet, per query runner: undone if nothing was sent. */
const deferredOpenings = new WeakMap<QueryRunner, () => void>();

/**
 * Hands the next statement sent on `client` to `fn` (with the sender in place before), once.
 * Interceptions stack: each one, when it fires, puts back what was there before it. Answers the
 * undo for an interception that never fired.
 */
function interceptNext(client: Client, fn: (send: Send, args: unknown[]) => Promise<pg.QueryResult>): () => void {
  const before = client.query;
  // put back exactly what was there: the class's method is not left behind as an own property
  const own = Object.prototype.hasOwnProperty.call(client, 'query');
  const restore = () => {
    if (client.query !== mine) return;
    if (own) client.query = before;
    else delete (client as { query?: Send }).query;
  };
  let fired = false;
  const mine: Send = (...args) => {
    if (fired) return before.apply(client, args);
    fired = true;
    restore();
    return fn(before, args);
  };
  client.query = mine;
  return restore;
}

/** `first`'s outcome, then `then`'s: a failure of `first` wins (it is reported in `then`'s place). */
function reportFirstFailure(first: Promise<unknown>, then: Promise<pg.QueryResult>): Promise<pg.QueryResult> {
  // `then` may fail before `first` settles: observed here, reported below
  then.catch(() => undefined);
  return first.then(
    () => then,
    (e: unknown) => then.then(() => Promise.reject(e), () => Promise.reject(e)),
  );
}

/**
 * Makes the next statement on `client` go out right behind `opening` (one write, no wait between).
 * The statement answers its own result; if the opening failed, its error (the statement then ran
 * outside the transaction, which only a broken connection can cause; the caller rolls back).
 */
function sendBeforeNext(client: Client, opening: string): () => void {
  return interceptNext(client, (send, args) => {
    const release = corked(client);
    try {
      const opened = send.call(client, opening);
      return reportFirstFailure(opened, send.apply(client, args));
    } finally {
      release();
    }
  });
}

/** TypeORM's startTransaction() without its round trip: `opening` goes out with the first statement. */
async function openDeferred(qr: QueryRunner, opening: string): Promise<void> {
  const client = (await qr.connect()) as Client;
  const query = qr.query;
  // startTransaction() sends START TRANSACTION through qr.query: answered here, sent later
  qr.query = ((sql: string, ...rest: unknown[]) =>
    sql === 'START TRANSACTION' ? Promise.resolve([]) : (query as (...a: unknown[]) => Promise<unknown>).call(qr, sql, ...rest)) as QueryRunner['query'];
  try {
    await qr.startTransaction();
  } finally {
    qr.query = query;
  }
  deferredOpenings.set(qr, sendBeforeNext(client, opening));
}

/** A connected query runner whose transaction at `isolation` opens with its first statement. */
export async function beginTransaction(db: DataSource, isolation: Isolation): Promise<QueryRunner> {
  const qr = db.createQueryRunner();
  try {
    await openDeferred(qr, `START TRANSACTION ISOLATION LEVEL ${isolation}`);
  } catch (e) {
    await qr.release();
    throw e;
  }
  return qr;
}

/**
 * Opens `qr`'s transaction with its first statement, so work that turns out to write nothing else
 * needs none. `direct` runs a statement outside of it (autocommit) while none was opened.
 */
export function lazyTransaction(qr: QueryRunner): { started(): boolean; direct: QueryRunner['query'] } {
  const query = qr.query.bind(qr) as QueryRunner['query'];
  let started = false;
  qr.query = (async (...args: Parameters<QueryRunner['query']>) => {
    if (!started) {
      started = true;
      await openDeferred(qr, 'START TRANSACTION');
    }
    return query(...args);
  }) as QueryRunner['query'];
  return { started: () => started, direct: query };
}

/**
 * Commits with `last` — the transaction's final statement — sent right before COMMIT, without
 * waiting for its answer in between, and answers `last`'s result. PostgreSQL answers the COMMIT of
 * a transaction whose statement failed with a rollback, not an error: the COMMIT here reports that
 * statement's error instead, so TypeORM never takes it for a commit (no after-commit hooks run) and
 * the caller sees the failure. `last` must send at most one statement; if it fails before sending
 * anything, nothing is committed.
 */
async function commitWith(qr: QueryRunner, last: () => Promise<unknown>): Promise<void> {
  const client = (await qr.connect()) as Client;
  let sent: Promise<pg.QueryResult> | null = null;
  let onWire!: () => void;
  const issued = new Promise<void>((resolve) => (onWire = resolve));
  // the last statement waits in the socket's buffer for the COMMIT, and both leave in one write
  let release: () => void = () => undefined;
  const undo = interceptNext(client, (send, args) => {
    release = corked(client);
    sent = send.apply(client, args);
    onWire();
    return sent;
  });
  try {
    const result = last();
    result.catch(() => undefined);
    try {
      await Promise.race([issued, result.then(() => undefined, () => undefined)]);
    } finally {
      undo();
    }
    const lastSent = sent as Promise<pg.QueryResult> | null;
    if (!lastSent) {
      // failed (or finished) before sending anything: an ordinary commit, or none at all
      await result;
      await qr.commitTransaction();
      return;
    }
    const undoCommit = interceptNext(client, (send, args) => {
      const commit = send.apply(client, args);
      release();
      return reportFirstFailure(lastSent, commit);
    });
    try {
      await qr.commitTransaction();
    } finally {
      undoCommit();
    }
  } finally {
    // whatever happened in between, nothing stays held in the buffer
    release();
  }
}

/**
 * Runs `work`, then commits (with the statement `work` leaves in `last`, if any, sent right before
 * COMMIT), or rolls back on failure; always releases the connection.
 */
export async function finishTransaction<T>(qr: QueryRunner, work: () => Promise<T>, last?: () => Promise<unknown>): Promise<T> {
  try {
    const result = await work();
    if (qr.isTransactionActive) {
      if (last) await commitWith(qr, last);
      else await qr.commitTransaction();
    } else if (last) {
      await last();
    }
    return result;
  } catch (e) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    deferredOpenings.get(qr)?.();
    deferredOpenings.delete(qr);
    await qr.release();
  }
}

/**
 * A transaction at `isolation`, opened with its first statement; `work` may name its final
 * statement (`last`), which then goes out with the COMMIT.
 */
export async function transaction<T>(
  db: DataSource,
  isolation: Isolation,
  work: (m: EntityManager) => Promise<{ value: T; last?: () => Promise<unknown> }>,
): Promise<T> {
  const qr = await beginTransaction(db, isolation);
  let last: (() => Promise<unknown>) | undefined;
  return finishTransaction(
    qr,
    async () => {
      const r = await work(qr.manager);
      last = r.last;
      return r.value;
    },
    () => (last ? last() : Promise.resolve()),
  );
}
