import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from '../src/common/database/embedded-postgres.js';
import { runMigrations } from '../src/common/database/migrate.js';

export const BENCH_ADMIN_KEY = 'adm_bench_key_0123456789abcdefghij';

/** A fresh, migrated database for one benchmark: on DATABASE_URL's server, or an embedded one. */
export async function benchDatabase(name: string): Promise<{ url: string; stop(): Promise<void> }> {
  let adminUrl: string;
  let stopServer = async () => undefined as void;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    adminUrl = u.toString();
  } else {
    const dir = path.join(os.tmpdir(), `agent-runtime-bench-${process.pid}`, 'pg');
    const server = await startEmbeddedPostgres(dir, { persistent: false });
    adminUrl = server.adminUrl;
    stopServer = () => server.stop();
  }
  const db = `bench_${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    stop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await c.end();
      await stopServer();
    },
  };
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Settings a bench run passes on to its server and worker processes (A/B runs): `AGENT_JOB_SYNC_COMMIT`, `DB_PREPARED_STATEMENTS`. */
export function passThrough(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['AGENT_JOB_SYNC_COMMIT', 'DB_PREPARED_STATEMENTS']) {
    const v = process.env[k];
    if (v) out[k] = v;
  }
  return out;
}

/** The compiled service in its own process, so its memory is measured apart from the load generator. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await findFreePort();
  // BENCH_SERVER_NODE_OPTIONS, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof, profiles the server process
  const nodeArgs = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  // as `npm start` and `npm run start:prod` run it (8 MB semi-spaces and a stated old-space limit:
  // measured, a lower peak RSS at the same throughput)
  const heapFlags = ['--max-semi-space-size=8', `--max-old-space-size=${process.env.NODE_MAX_OLD_SPACE_MB ?? 384}`];
  const proc = spawn(process.execPath, [...heapFlags, ...nodeArgs, path.resolve('dist/src/main.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl, PORT: String(port), ADMIN_API_KEY: BENCH_ADMIN_KEY, SEED_DEMO: 'false', LOG_LEVEL: 'error', ...passThrough(), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    peakRssMb: () => {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(status);
        return m ? Math.round(Number(m[1]) / 1024) : NaN;
      } catch {
        return NaN;
      }
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

// Idle sockets are closed here before the server's keep-alive timeout (Node's default, 5 s) can
// close them under a request being sent on them (an ECONNRESET that is the client's race, not the
// service's failure).
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });

export function request(url: string, method: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, agent, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where /proc is not there. */
export function processCpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds used so far by every PostgreSQL process of this machine (the embedded server's, or
 * the machine's own with DATABASE_URL: then its other databases count too); NaN without /proc.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  let seen = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(postgres)')) continue;
      } catch {
        continue; // gone meanwhile
      }
      const cpu = processCpuSeconds(pid);
      if (Number.isFinite(cpu)) {
        total += cpu;
        seen = true;
      }
    }
  } catch {
    return Number.NaN;
  }
  return seen ? total : Number.NaN;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
