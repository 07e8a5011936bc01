import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getBasicAuthHeaders, makeCalendar } from 'tsdav';
import { findFreePort } from '../../src/common/database/embedded-postgres.js';

export interface Radicale {
  /** The server root, `http://127.0.0.1:<port>/`. */
  url: string;
  username: string;
  password: string;
  /** Basic auth headers for requests of the test itself. */
  headers: Record<string, string>;
  /** Creates a calendar collection (MKCALENDAR) under the user's home; answers its URL. */
  createCalendar(name: string): Promise<string>;
  /** Stops the server (the port then refuses connections); the stored collections are kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same storage. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
  output(): string;
}

const INSTALL_HINT =
  'radicale (a CalDAV server) is required by the calendar tests but is not installed. ' +
  'Install it with: apt-get install -y radicale   (.ci/run does this when it is missing)';

/** `radicale` on PATH, else `python3 -m radicale`; a clear error when neither works. */
function radicaleCommand(): string[] {
  if (spawnSync('radicale', ['--version'], { stdio: 'ignore' }).status === 0) return ['radicale'];
  if (spawnSync('python3', ['-c', 'import radicale'], { stdio: 'ignore' }).status === 0) return ['python3', '-m', 'radicale'];
  throw new Error(INSTALL_HINT);
}

/**
 * A real Radicale CalDAV server as a child process: loopback only, a free port, a temporary folder
 * with its config, storage and an htpasswd (plain) user, and a rights file that allows everything.
 */
export async function startRadicale(opts: { username?: string; password?: string } = {}): Promise<Radicale> {
  const command = radicaleCommand();
  const username = opts.username ?? 'agent';
  const password = opts.password ?? 'caldav-test-password';
  const port = await findFreePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-runtime-radicale-'));
  writeFileSync(path.join(dir, 'users'), `${username}:${password}\n`);
  writeFileSync(path.join(dir, 'rights'), '[everything]\nuser: .*\ncollection: .*\npermissions: RrWw\n');
  writeFileSync(
    path.join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${path.join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      'delay = 0',
      '[rights]',
      'type = from_file',
      `file = ${path.join(dir, 'rights')}`,
      '[storage]',
      `filesystem_folder = ${path.join(dir, 'collections')}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}/`;
  const headers = getBasicAuthHeaders({ username, password });
  let proc: ChildProcess | undefined;
  let out = '';

  async function start(): Promise<void> {
    if (proc && proc.exitCode === null && proc.signalCode === null) return;
    const child = spawn(command[0]!, [...command.slice(1), '--config', path.join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = child;
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`radicale exited (code ${child.exitCode}) while starting:\n${out}`);
      try {
        const res = await fetch(url, { method: 'OPTIONS', headers, signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.status < 500) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`radicale did not answer on ${url} within 20 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stop(): Promise<void> {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    username,
    password,
    headers,
    start,
    stop,
    output: () => out,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    createCalendar: async (name: string) => {
      const calendarUrl = new URL(`${encodeURIComponent(username)}/${encodeURIComponent(name)}/`, url).href;
      const [res] = await makeCalendar({
        url: calendarUrl,
        props: { displayname: name },
        headers,
      });
      if (!res?.ok) throw new Error(`MKCALENDAR ${calendarUrl} answered ${res?.status} ${res?.statusText}: ${JSON.stringify(res?.raw)}`);
      return calendarUrl;
    },
  };
}
