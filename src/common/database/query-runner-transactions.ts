import type { DataSource, QueryRunner } from 'typeorm';

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Round trips are the cost that matters on the hot paths (each is a socket write and a wake-up of
 * the server process), and TypeORM's `startTransaction(isolation)` spends two on the opening:
 * `START TRANSACTION` then `SET TRANSACTION ISOLATION LEVEL …`. These helpers keep TypeORM's own
 * transaction bookkeeping (so its after-commit subscribers still see the commit) and only change
 * what goes over the wire.
 */

/** A connected query runner whose transaction is open, in one round trip, at `isolation`. */
export async function beginTransaction(db: DataSource, isolation: Isolation): Promise<QueryRunner> {
  const qr = db.createQueryRunner();
  const query = qr.query.bind(qr) as QueryRunner['query'];
  // startTransaction() without a level sends a bare START TRANSACTION: send it with the level instead
  qr.query = ((sql: string, ...rest: unknown[]) =>
    (query as (...a: unknown[]) => Promise<unknown>)(sql === 'START TRANSACTION' ? `START TRANSACTION ISOLATION LEVEL ${isolation}` : sql, ...rest)) as QueryRunner['query'];
  try {
    await qr.startTransaction();
  } catch (e) {
    await qr.release();
    throw e;
  } finally {
    qr.query = query;
  }
  return qr;
}

/**
 * Opens `qr`'s transaction just before its first statement, so work that turns out to write nothing
 * else needs none. `direct` runs a statement outside of it (autocommit) while none was opened.
 */
export function lazyTransaction(qr: QueryRunner): { started(): boolean; direct: QueryRunner['query'] } {
  const query = qr.query.bind(qr) as QueryRunner['query'];
  let started = false;
  qr.query = (async (...args: Parameters<QueryRunner['query']>) => {
    if (!started) {
      started = true;
      await qr.startTransaction();
    }
    return query(...args);
  }) as QueryRunner['query'];
  return { started: () => started, direct: query };
}

/** Commits, or rolls back on failure, and always releases the connection. */
export async function finishTransaction<T>(qr: QueryRunner, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    if (qr.isTransactionActive) await qr.commitTransaction();
    return result;
  } catch (e) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    await qr.release();
  }
}
