import { loadConfigOrExit } from './common/config/load-or-exit.js';
import { resolveDatabase } from './common/database/database-bootstrap.js';
import { runMigrations } from './common/database/migrate.js';

/** `npm run migration:run` / `migration:revert`. */
const direction = process.argv[2] === 'down' ? 'down' : 'up';
const config = loadConfigOrExit();
const db = await resolveDatabase(config, { migrate: false });
const done = await runMigrations(db.url, direction);
process.stdout.write(done.length ? `${direction}: ${done.join(', ')}\n` : 'no pending migrations\n');
await db.stop();
