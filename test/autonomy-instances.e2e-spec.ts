import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRunner } from 'typeorm';
import { RuntimeInstances1764300000008 } from '../migrations/1764300000008-RuntimeInstances.js';
import { JobRunner } from '../src/modules/jobs/job-runner.js';
import { newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';
import { until } from './support/until.js';

/**
 * `/api/autonomy` across instances: two apps on one database. A (role all) runs a claim loop,
 * B (role api) does not; both publish their runner state to `runtime_instances`.
 */
let a: TestApp;
let b: TestApp;
let bClosed = false;
let sql: pg.Client;
let tenant: TestTenant;

beforeAll(async () => {
  a = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 250, agentMaxConcurrentJobs: 4 });
  b = await startTestApp({ autonomyEnabled: true, role: 'api' }, a.db);
  sql = new pg.Client({ connectionString: a.db.url });
  await sql.connect();
  tenant = await newTenant(a.url, a.adminKey);
});
afterAll(async () => {
  await sql?.end();
  if (!bClosed) await b?.close();
  await a?.close();
});

const status = async (app: TestApp, key = app.adminKey, query = '') => {
  const r = await client(app.url, key).get(`/api/autonomy${query}`);
  expect(r.status).toBe(200);
  return r.body;
};
const put = (app: TestApp, body: unknown) => client(app.url, app.adminKey).put('/api/autonomy', body);
const dryRun = async (app: TestApp) =>
  (await client(app.url, app.adminKey).post('/api/policy-rules/evaluate', { action: 'send_confirmation', tenant_id: tenant.id })).body as { effect: string; basis: string };

describe('runner state per instance', () => {
  it('lists every live instance with its runner state (running, concurrency, in flight, poll interval, last claim)', async () => {
    const idA = a.app.get(JobRunner).workerId;
    const idB = b.app.get(JobRunner).workerId;
    expect(idA).not.toBe(idB);
    // A's row carries its first claim within a heartbeat or two
    const s = await until('both instances, A with a claim recorded', async () => {
      const body = await status(a);
      const ids = (body.instances as { instance_id: string }[]).map((i) => i.instance_id);
      const rowA = body.instances.find((i: { instance_id: string }) => i.instance_id === idA);
      return ids.includes(idB) && rowA?.runner.last_claim_at ? body : null;
    }, 6000);
    const byId = new Map<string, any>(s.instances.map((i: { instance_id: string }) => [i.instance_id, i]));
    expect(byId.get(idA)).toMatchObject({ role: 'all', self: true, pid: process.pid, runner: { running: true, concurrency: 4, in_flight: 0, poll_interval_ms: 250 } });
    expect(byId.get(idB)).toMatchObject({ role: 'api', self: false, runner: { running: false, concurrency: 3, poll_interval_ms: 5000, last_claim_at: null } });
    expect(Date.parse(byId.get(idA).runner.last_claim_at)).toBeGreaterThan(Date.now() - 60_000);
    for (const i of s.instances) expect(i.age_ms).toBeLessThan(10_000);
    // the instance that answers describes itself
    expect(s.runner).toMatchObject({ running: true, concurrency: 4, poll_interval_ms: 250 });
    expect((await status(b)).runner).toMatchObject({ running: false });
    expect(s.viewer).toEqual({ kind: 'admin', tenant_id: null });
  });

  it('shows a tenant key its own scope, without the cluster’s hosts', async () => {
    const s = await status(a, tenant.apiKey);
    expect(s.viewer).toEqual({ kind: 'tenant', tenant_id: tenant.id });
    expect(s.instances).toBeUndefined();
    expect(s.mode.tenant).toMatchObject({ tenant_id: tenant.id, effective: 'on', setting: null });
    expect(s.jobs.by_status).toEqual({ pending: 0, claimed: 0, completed: 0, failed: 0, cancelled: 0 });
  });

  it('leaves out instances whose heartbeat is older than 10 s', async () => {
    await sql.query(
      `INSERT INTO runtime_instances (instance_id, role, hostname, pid, started_at, heartbeat_at, state) VALUES
         ('ghost:1:dead', 'all', 'ghost', 1, now() - interval '1 hour', now() - interval '11 seconds', '{}'),
         ('fresh:2:live', 'worker', 'fresh', 2, now() - interval '1 hour', now() - interval '3 seconds', '{"running": true}')`,
    );
    const ids = ((await status(a)).instances as { instance_id: string }[]).map((i) => i.instance_id);
    expect(ids).toContain('fresh:2:live');
    expect(ids).not.toContain('ghost:1:dead');
    await sql.query(`DELETE FROM runtime_instances WHERE instance_id IN ('ghost:1:dead', 'fresh:2:live')`);
  });
});

describe('the runtime toggle across instances', () => {
  it('a toggle on instance A is honoured by instance B within 1 s (status and policy decisions), both ways', async () => {
    expect(await dryRun(b)).toMatchObject({ effect: 'allow', basis: 'rule' });

    const off = Date.now();
    const r = await put(a, { mode: 'off' });
    expect(r.status).toBe(200);
    expect(r.body.mode).toMatchObject({ global: 'off', global_setting: 'off' });
    await until('B to see the toggle off', async () => (await status(b)).mode.global === 'off', 1000, 10);
    await until('B to deny by the kill switch', async () => (await dryRun(b)).basis === 'kill_switch', 1000, 10);
    expect(Date.now() - off).toBeLessThan(1000);

    const on = Date.now();
    expect((await put(a, { enabled: true })).status).toBe(200);
    await until('B to see the toggle on', async () => (await status(b)).mode.global === 'on', 1000, 10);
    await until('B to allow again', async () => (await dryRun(b)).effect === 'allow', 1000, 10);
    expect(Date.now() - on).toBeLessThan(1000);
  });

  it('a per-tenant toggle on B reaches A within 1 s, and only for that tenant', async () => {
    const other = await newTenant(a.url, a.adminKey);
    const t0 = Date.now();
    expect((await put(b, { mode: 'shadow', tenant_id: tenant.id })).status).toBe(200);
    await until('A to see the tenant in shadow', async () => (await status(a, a.adminKey, `?tenant_id=${tenant.id}`)).mode.tenant.effective === 'shadow', 1000, 10);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await status(a, other.apiKey)).mode.tenant.effective).toBe('on');
    expect((await status(a)).mode.global).toBe('on');
    // a tenant key sets its own scope, and cannot name another tenant
    const own = await client(a.url, tenant.apiKey).put('/api/autonomy', { mode: 'on' });
    expect(own.status).toBe(200);
    expect(own.body.mode.tenant).toMatchObject({ tenant_id: tenant.id, effective: 'on', setting: 'on' });
    expect((await client(a.url, tenant.apiKey).put('/api/autonomy', { mode: 'off', tenant_id: other.id })).status).toBe(404);
  });

  it('every change is audited with its actor, the mode and what it replaced', async () => {
    const r = await client(a.url, a.adminKey).get('/api/audit?event_type=autonomy.mode_changed&limit=50');
    expect(r.status).toBe(200);
    const rows = r.body.items as { tenant_id: string | null; actor: string; entity_id: string; payload: { mode: string; previous: string } }[];
    const global = rows.filter((x) => x.entity_id === 'global').map((x) => [x.payload.previous, x.payload.mode, x.actor]);
    expect(global).toEqual(expect.arrayContaining([['on', 'off', 'admin'], ['off', 'on', 'admin']]));
    const perTenant = rows.filter((x) => x.tenant_id === tenant.id);
    expect(perTenant.map((x) => x.payload.mode).sort()).toEqual(['on', 'shadow']);
    expect(perTenant.find((x) => x.payload.mode === 'on')!.actor).toMatch(/^key:/);
  });

  it('answers 400 for a request that says nothing or contradicts itself', async () => {
    for (const body of [{}, { mode: 'on', enabled: false }, { mode: 'sometimes' }, { enabled: 'yes' }, { mode: 'on', extra: 1 }]) {
      const r = await put(a, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('VALIDATION_FAILED');
    }
  });
});

describe('the env master switch', () => {
  it('refuses to turn the runtime on while AUTONOMY_ENABLED is off (409, saying so); off is accepted', async () => {
    const off = await startTestApp({ autonomyEnabled: false, role: 'api' });
    try {
      for (const body of [{ mode: 'on' }, { mode: 'shadow' }, { enabled: true }]) {
        const r = await put(off, body);
        expect(r.status, JSON.stringify(body)).toBe(409);
        expect(r.body.error).toBe('MASTER_SWITCH_OFF');
        expect(r.body.message).toMatch(/AUTONOMY_ENABLED/);
      }
      const s = await status(off);
      expect(s.master_switch).toBe(false);
      expect(s.mode).toMatchObject({ global: 'off', global_setting: 'on' });
      const r = await put(off, { enabled: false });
      expect(r.status).toBe(200);
      expect(r.body.mode.global_setting).toBe('off');
    } finally {
      await off.close();
    }
  });
});

describe('shutdown', () => {
  it('an instance deletes its row when it stops', async () => {
    const idB = b.app.get(JobRunner).workerId;
    await b.close();
    bClosed = true;
    const rows = await sql.query(`SELECT 1 FROM runtime_instances WHERE instance_id = $1`, [idB]);
    expect(rows.rowCount).toBe(0);
    const ids = ((await status(a)).instances as { instance_id: string }[]).map((i) => i.instance_id);
    expect(ids).toEqual([a.app.get(JobRunner).workerId]);
  });
});

describe('migration 008', () => {
  it('has a real down: both tables go, and come back with up', async () => {
    const db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    try {
      await c.connect();
      const tables = async () => (await c.query(`SELECT to_regclass('runtime_instances')::text AS a, to_regclass('socket_io_attachments')::text AS b`)).rows[0];
      // the migration's own up/down, whatever migrations come after it (they only run SQL)
      const runner = { query: (sql: string) => c.query(sql) } as unknown as QueryRunner;
      const migration = new RuntimeInstances1764300000008();
      expect(await tables()).toEqual({ a: 'runtime_instances', b: 'socket_io_attachments' });
      await migration.down(runner);
      expect(await tables()).toEqual({ a: null, b: null });
      await migration.up(runner);
      expect(await tables()).toEqual({ a: 'runtime_instances', b: 'socket_io_attachments' });
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
