import 'reflect-metadata';
import { createApp } from './bootstrap.js';
import { loadConfigOrExit } from './common/config/load-or-exit.js';
import { resolveDatabase } from './common/database/database-bootstrap.js';
import { seedDemo } from './seed/demo-seed.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const db = await resolveDatabase(config);
  const app = await createApp({ ...config, databaseUrl: db.url });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${signal}: shutting down\n`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close().catch(() => undefined);
    await db.stop().catch(() => undefined);
    process.exit(0);
  };
  app.enableShutdownHooks([]); // signals are handled here, so the embedded database stops after the app
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port, '0.0.0.0');
  const url = `http://localhost:${config.port}`;
  const lines = [
    `agent runtime listening on ${url} (role=${config.role}, database=${db.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`,
    `  dashboard: ${url}/   API docs: ${url}/docs   health: ${url}/health`,
    `  autonomy master switch (AUTONOMY_ENABLED): ${config.autonomyEnabled ? 'on' : 'off'}`,
  ];
  if (config.nodeEnv !== 'production') lines.push(`  admin API key: ${config.adminApiKey}`);
  if (config.seedDemo) {
    const demo = await seedDemo(app, config.dataDir);
    lines.push(`  demo tenant ${demo.tenantId} (resource ${demo.resourceId})`, `  demo tenant API key: ${demo.apiKey}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
