import type { EntityManager } from 'typeorm';

/**
 * A CTE for a statement that runs on its own (in its implicit transaction): it sets
 * `synchronous_commit = off` for that transaction only, so the commit returns without waiting for
 * its WAL to reach disk. The statement must read it (`CROSS JOIN async_commit`) for it to run.
 *
 * What that gives up: after a crash of PostgreSQL or of the machine (not of this process), the last
 * few hundred milliseconds of such commits may be lost — never torn, and never a commit that a later
 * synchronous commit (any business transaction) has already flushed, because WAL is flushed in
 * order. Fit only for bookkeeping whose loss is repaired by what already handles a crash.
 */
export const ASYNC_COMMIT_CTE = `async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS off)`;

/** Whether `m` runs statements on their own: inside a caller's transaction the setting would apply to all of it. */
export function runsAlone(m: EntityManager): boolean {
  return !m.queryRunner || !m.queryRunner.isTransactionActive;
}
