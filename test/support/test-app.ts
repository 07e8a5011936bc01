import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig, type AppConfig } from '../../src/common/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  adminKey: string;
  db: TestDatabase;
  config: AppConfig & { databaseUrl: string };
  close(): Promise<void>;
}

export const TEST_ADMIN_KEY = 'adm_test_key_for_the_suite_0123456789';

/** The real application on its own freshly cloned database, listening on a free port. */
export async function startTestApp(overrides: Partial<AppConfig> = {}, db?: TestDatabase, extraImports: Type[] = []): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const base = loadConfig({ NODE_ENV: 'test', ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'error' });
  const config = { ...base, ...overrides, databaseUrl: database.url };
  const app = await createApp(config, extraImports);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    adminKey: config.adminApiKey,
    db: database,
    config,
    close: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
