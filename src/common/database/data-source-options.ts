import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/index.js';

/**
 * TypeORM is used as the connection pool, transaction manager and migration runner; the SQL is
 * written by hand in the repositories. `synchronize` stays off: the schema is the migrations'.
 */
export function dataSourceOptions(url: string, poolSize = 20, applicationName = 'agent-runtime'): DataSourceOptions {
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
    },
  };
}
