import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { EntityManager } from 'typeorm';

const names = new Map<string, string>();

/** A statement name derived from its text, so one name never stands for two texts on a connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs one of the queue's hot statements as a named prepared statement: PostgreSQL parses and plans
 * it once per connection instead of at every call, and the call skips TypeORM's query wrapper
 * (measured on the claim/complete loop: about a fifth more jobs per second). Inside a transaction
 * (a manager bound to a query runner) it runs on that transaction's connection; otherwise on any
 * pooled connection. `text` must be fixed SQL with parameters, never built from values. Answers the
 * rows (of `RETURNING` too); errors are pg's own, with the SQLSTATE in `code`.
 */
export async function preparedQuery<T>(m: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const query = { name: statementName(text), text, values };
  const runner = m.queryRunner as (EntityManager['queryRunner'] & { connect(): Promise<pg.PoolClient> }) | undefined;
  if (runner && !runner.isReleased) {
    const client = await runner.connect();
    return (await client.query(query)).rows as T[];
  }
  const pool = (m.connection.driver as unknown as { master: pg.Pool }).master;
  return (await pool.query(query)).rows as T[];
}
