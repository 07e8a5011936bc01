import type { EntityManager } from 'typeorm';

/** Keys of the cluster-wide singletons; each runs on one instance at a time. */
export const ADVISORY_LOCKS = {
  holdSweeper: 7_364_201_101,
  eventRelay: 7_364_201_102,
  jobReclaimer: 7_364_201_103,
  jobRetention: 7_364_201_104,
  auditSealer: 7_364_201_105,
  outboxDispatcher: 7_364_201_106,
} as const;

/** Takes a transaction-scoped advisory lock if it is free; false means another instance has it. */
export async function tryAdvisoryXactLock(manager: EntityManager, key: number): Promise<boolean> {
  const rows: { locked: boolean }[] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [key]);
  return rows[0]?.locked === true;
}
