import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { connectFeed, type FeedClient } from './support/socket-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until } from './support/until.js';

/**
 * The live feed over socket.io with two instances on one database: `one` serves the API and the
 * sockets but runs no jobs (APP_ROLE=api); `two` runs them. Every job transition after the enqueue
 * happens on `two`, so a client of `one` sees it only through the Postgres adapter.
 */
let one: TestApp;
let two: TestApp;
let sql: pg.Client;
let a: TestTenant;
let b: TestTenant;
const feeds: FeedClient[] = [];

beforeAll(async () => {
  one = await startTestApp({ autonomyEnabled: true, role: 'api' });
  two = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 200 }, one.db);
  sql = new pg.Client({ connectionString: one.db.url });
  await sql.connect();
  a = await newTenant(one.url, one.adminKey);
  b = await newTenant(one.url, one.adminKey);
});
afterAll(async () => {
  for (const f of feeds) f.close();
  await sql?.end();
  await two?.close();
  await one?.close();
});

async function feed(app: TestApp, token: string): Promise<FeedClient> {
  const f = await connectFeed(app.url, token);
  feeds.push(f);
  return f;
}

async function book(tenant: TestTenant, n: number): Promise<string> {
  const r = await client(one.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(n), ...newClient() });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function confirmationOf(appointmentId: string): Promise<{ id: string; worker_id: string }> {
  return until('the confirmation job to complete', async () => {
    const rows = await sql.query(`SELECT id, worker_id, status FROM jobs WHERE appointment_id = $1 AND type = 'send_confirmation'`, [appointmentId]);
    return rows.rows[0]?.status === 'completed' ? rows.rows[0] : null;
  });
}

describe('socket.io namespace /autonomy', () => {
  it('refuses a bad token, a malformed one and none, with an UNAUTHORIZED error', async () => {
    for (const token of ['sk_AAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'not-a-key', `${one.adminKey}x`, '', undefined]) {
      const err = await connectFeed(one.url, token).then(
        (f) => {
          f.close();
          return null;
        },
        (e: Error) => e,
      );
      expect(err, String(token)).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/^UNAUTHORIZED: (invalid|missing) API key/);
    }
  });

  it('pushes autonomy:status on connect, scoped to the key', async () => {
    const admin = await feed(one, one.adminKey);
    const tenant = await feed(one, a.apiKey);
    await until('both statuses', async () => admin.statuses.length > 0 && tenant.statuses.length > 0);
    expect(admin.statuses[0]).toMatchObject({ viewer: { kind: 'admin', tenant_id: null }, master_switch: true, mode: { global: 'on' } });
    expect(admin.statuses[0].instances.length).toBe(2);
    expect(tenant.statuses[0]).toMatchObject({ viewer: { kind: 'tenant', tenant_id: a.id }, mode: { tenant: { tenant_id: a.id, effective: 'on' } } });
    expect(tenant.statuses[0].instances).toBeUndefined();
  });

  it("a tenant's client receives its own job:updated and never another tenant's; the admin receives both", async () => {
    const fa = await feed(one, a.apiKey);
    const fb = await feed(one, b.apiKey);
    const admin = await feed(one, one.adminKey);
    const [aptA, aptB] = await Promise.all([book(a, 1), book(b, 1)]);
    const [jobA, jobB] = await Promise.all([confirmationOf(aptA), confirmationOf(aptB)]);
    await until("A's completion on A's socket", async () => fa.jobs.some((j) => j.id === jobA.id && j.status === 'completed'));
    await until("B's completion on B's socket", async () => fb.jobs.some((j) => j.id === jobB.id && j.status === 'completed'));
    await until('both on the admin socket', async () => [jobA.id, jobB.id].every((id) => admin.jobs.some((j) => j.id === id && j.status === 'completed')));
    await new Promise((r) => setTimeout(r, 300)); // anything misrouted would have arrived by now
    expect(fa.jobs.length).toBeGreaterThan(0);
    expect(fa.jobs.every((j) => j.tenant_id === a.id)).toBe(true);
    expect(fb.jobs.every((j) => j.tenant_id === b.id)).toBe(true);
    expect(fa.jobs.some((j) => j.id === jobB.id)).toBe(false);
    expect(fb.jobs.some((j) => j.id === jobA.id)).toBe(false);
    // every transition of the confirmation, in order, on the tenant's socket
    expect(fa.jobs.filter((j) => j.id === jobA.id).map((j) => j.status)).toEqual(['pending', 'claimed', 'completed']);
  });

  it('a client on instance one receives the transitions of a job executed on instance two', async () => {
    const f = await feed(one, a.apiKey);
    const apt = await book(a, 3);
    const job = await confirmationOf(apt);
    expect(job.worker_id).toBe(two.app.get(JobRunner).workerId);
    expect(one.app.get(JobRunner).state().running).toBe(false);
    const seen = await until('claimed and completed on one', async () => {
      const statuses = f.jobs.filter((j) => j.id === job.id).map((j) => j.status);
      return statuses.includes('claimed') && statuses.includes('completed') ? statuses : null;
    });
    expect(seen).toEqual(['pending', 'claimed', 'completed']);
    const done = f.jobs.find((j) => j.id === job.id && j.status === 'completed')!;
    expect(done).toMatchObject({ tenant_id: a.id, type: 'send_confirmation', outcome: 'completed' });
  });

  it("survives the adapter's database connections being killed, and delivers across instances again", async () => {
    const f = await feed(one, a.apiKey);
    const killed = await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agent-runtime-socket.io' AND datname = current_database()`);
    expect(killed.rowCount).toBeGreaterThanOrEqual(2); // one LISTEN connection per instance
    // the adapter reconnects within a few seconds; until then a broadcast from the other instance may be lost
    let n = 10;
    await until('a job executed on two to reach the client on one again', async () => {
      const job = await confirmationOf(await book(a, n++));
      await new Promise((r) => setTimeout(r, 300));
      return f.jobs.some((j) => j.id === job.id && j.status === 'completed');
    }, 15_000, 500);
  });

  it('pushes autonomy:status to every instance’s clients when the toggle changes anywhere', async () => {
    const onOne = await feed(one, a.apiKey);
    const onTwo = await feed(two, one.adminKey);
    await until('the connect statuses', async () => onOne.statuses.length > 0 && onTwo.statuses.length > 0);
    const t0 = Date.now();
    expect((await client(two.url, two.adminKey).put('/api/autonomy', { mode: 'shadow', tenant_id: a.id })).status).toBe(200);
    const pushed = await until('the shadow status on one', async () => onOne.statuses.find((s) => s.mode.tenant?.effective === 'shadow'), 2000);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(pushed.viewer).toEqual({ kind: 'tenant', tenant_id: a.id });
    await until('the change on two (admin view)', async () => onTwo.statuses.some((s) => s.mode.tenants.some((t: { tenant_id: string; mode: string }) => t.tenant_id === a.id && t.mode === 'shadow')), 2000);
    expect((await client(one.url, one.adminKey).put('/api/autonomy', { mode: 'on', tenant_id: a.id })).status).toBe(200);
    await until('back on', async () => onOne.statuses.at(-1)?.mode.tenant.effective === 'on', 2000);
  });
});
