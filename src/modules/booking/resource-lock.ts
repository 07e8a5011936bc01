import type { EntityManager } from 'typeorm';

/**
 * The resource lock as an SQL expression over `resourceIdText` (the id as text), for a statement
 * that takes it itself: every taker must derive the same key.
 */
export function resourceLockSql(resourceIdText: string): string {
  return `pg_advisory_xact_lock(hashtextextended(${resourceIdText}, 0))`;
}

/** Serialises every booking-side write to one resource (held until the transaction ends). */
export async function lockResource(m: EntityManager, resourceId: string): Promise<void> {
  await m.query(`SELECT ${resourceLockSql('$1')}`, [resourceId]);
}
