import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/common/config/app-config.js';
import { dataSourceOptions } from '../src/common/database/data-source-options.js';
import { PreparingClient } from '../src/common/database/statement-cache.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** The prepared statements of the one connection of `pool`, and what it answers meanwhile. */
async function run(pool: pg.Pool, text: string, times: number): Promise<{ answers: number[]; prepared: string[] }> {
  const answers: number[] = [];
  for (let i = 0; i < times; i++) answers.push((await pool.query(text, [i])).rows[0].v);
  const prepared = (await pool.query(`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql`)).rows.map((r) => r.statement as string);
  return { answers, prepared };
}

describe('prepared statements (DB_PREPARED_STATEMENTS)', () => {
  it('a statement run repeatedly becomes a prepared statement of the connection, and answers the same', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1, Client: PreparingClient });
    try {
      const text = `SELECT $1::int * 2 AS v /* statement-cache test */`;
      const first = await run(pool, text, 3);
      expect(first.answers).toEqual([0, 2, 4]);
      expect(first.prepared).not.toContain(text);
      const later = await run(pool, text, 5);
      expect(later.answers).toEqual([0, 2, 4, 6, 8]);
      expect(later.prepared).toContain(text);
      // a failing execution of a prepared statement leaves the connection and the statement usable
      await expect(pool.query(`SELECT 1 / ($1::int - 3) AS v /* failing */`, [3])).rejects.toThrow(/division by zero/);
      for (let i = 0; i < 6; i++) await pool.query(`SELECT 1 / ($1::int - 3) AS v /* failing */`, [i === 5 ? 3 : 4]).catch(() => undefined);
      expect((await pool.query(`SELECT 1 / ($1::int - 3) AS v /* failing */`, [4])).rows[0].v).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('without it (a plain pg client), nothing is prepared', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const text = `SELECT $1::int * 3 AS v /* statement-cache off */`;
      const r = await run(pool, text, 10);
      expect(r.answers[9]).toBe(27);
      expect(r.prepared).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('the pool uses it unless DB_PREPARED_STATEMENTS=false', () => {
    const client = (prepared: boolean) => (dataSourceOptions(db.url, 2, 'test', undefined, prepared) as { extra: { Client?: unknown } }).extra.Client;
    expect(client(true)).toBe(PreparingClient);
    expect(client(false)).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: db.url }).dbPreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_URL: db.url, DB_PREPARED_STATEMENTS: 'false' }).dbPreparedStatements).toBe(false);
  });
});
