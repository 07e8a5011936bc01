import 'reflect-metadata';
import { createApp } from './bootstrap.js';
import { loadConfigOrExit } from './common/config/load-or-exit.js';
import { resolveDatabase } from './common/database/database-bootstrap.js';
import { seedDemo } from './seed/demo-seed.js';

/** `npm run seed`: migrations, the seeded defaults and the demo tenant, then exit. */
const config = loadConfigOrExit();
const db = await resolveDatabase(config);
const app = await createApp({ ...config, databaseUrl: db.url, role: 'api', logLevel: 'warn' });
await app.init();
const demo = await seedDemo(app, config.dataDir);
process.stdout.write(`demo tenant ${demo.tenantId} (${demo.created ? 'created' : 'already there'})\n`);
process.stdout.write(`demo resource ${demo.resourceId}\ndemo tenant API key: ${demo.apiKey}\n`);
if (config.nodeEnv !== 'production') process.stdout.write(`admin API key: ${config.adminApiKey}\n`);
await app.close();
await db.stop();
