import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';
import { PreparingClient } from './statement-cache.js';

/**
 * TypeORM is used as the connection pool, transaction manager and migration runner; the SQL is
 * written by hand in the repositories. `synchronize` stays off: the schema is the migrations'.
 */
/**
 * The role the application's connections act as (created by migration 006): it may not UPDATE,
 * DELETE or TRUNCATE `audit_log` (except sealing), whatever the login user may do.
 */
export const APP_DB_ROLE = 'agent_runtime_app';

/**
 * `preparedStatements` (`DB_PREPARED_STATEMENTS`): repeated parameterised statements run as named
 * prepared statements, planned once per connection (see StatementCache).
 */
export function dataSourceOptions(url: string, poolSize = 20, applicationName = 'agent-runtime', role?: string, preparedStatements = true): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    entities: [],
    logging: false,
    poolSize,
    applicationName,
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // A statement stuck on a lock must not hold a request or a worker forever.
      statement_timeout: 30_000,
      keepAlive: true,
      // pg's pipeline mode: a statement issued while another is in flight goes out at once instead
      // of waiting for the answer (see query-runner-transactions: START and COMMIT ride along)
      pipeline: true,
      ...(preparedStatements ? { Client: PreparingClient } : {}),
      // set at connect time, so every pooled connection acts as the restricted role
      ...(role ? { options: `-c role=${role}` } : {}),
    },
  };
}
