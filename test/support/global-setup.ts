import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/common/database/embedded-postgres.js';
import { runMigrations } from '../../src/common/database/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgRunId: string;
  }
}

/**
 * Starts one PostgreSQL for the whole run (embedded by default, `DATABASE_URL`'s server when set),
 * migrates a template database once, and lets every test file clone its own database from it.
 */
/** A compiled .js beside a .ts source would be imported instead of it: refuse to run on stale code. */
function refuseStrayJs(): void {
  const stray: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') visit(p);
      } else if (entry.name.endsWith('.js') && existsSync(p.slice(0, -3) + '.ts')) stray.push(p);
    }
  };
  for (const dir of ['src', 'test', 'migrations', 'bench']) if (existsSync(dir)) visit(dir);
  if (stray.length > 0) throw new Error(`compiled .js files beside their .ts sources would shadow them (run tsc with -p): ${stray.slice(0, 5).join(', ')}`);
}

export default async function setup(project: TestProject) {
  refuseStrayJs();
  const runId = randomBytes(4).toString('hex');
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    adminUrl = u.toString();
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'agent-runtime-test-pg-'));
    chmodSync(dataDir, 0o755); // the unprivileged postgres user must reach its data directory
    embedded = await startEmbeddedPostgres(path.join(dataDir, 'pg'), { persistent: false });
    adminUrl = embedded.adminUrl;
  }
  const template = `art_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgRunId', runId);
  process.env.TEST_PG_ADMIN_URL = adminUrl;
  process.env.TEST_PG_TEMPLATE = template;

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const dbs = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`art_%${runId}%`]);
    for (const { datname } of dbs.rows) {
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
    }
    await c.end();
    if (embedded) await embedded.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
