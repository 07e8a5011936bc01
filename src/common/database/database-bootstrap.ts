import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { ensureDatabase, runMigrations } from './migrate.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise a real PostgreSQL started from the `embedded-postgres` package
 * with its data under `<DATA_DIR>/pg`. Either way the migrations are applied before the app starts.
 */
export async function resolveDatabase(config: AppConfig, opts: { migrate?: boolean } = {}): Promise<ResolvedDatabase> {
  let url = config.databaseUrl;
  let stop = async () => undefined as void;
  const embedded = !url;
  if (!url) {
    const server = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'));
    const u = new URL(server.adminUrl);
    u.pathname = '/booking';
    url = u.toString();
    stop = () => server.stop();
  }
  await ensureDatabase(url);
  if (opts.migrate !== false) await runMigrations(url);
  return { url, embedded, stop };
}
