import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { futureBase, newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ dbPoolSize: 24 });
});
afterAll(async () => {
  await t?.close();
});

async function overlappingPairs(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query(`
    SELECT count(*)::int AS n FROM appointments a JOIN appointments b
      ON a.tenant_id = b.tenant_id AND a.resource_id = b.resource_id AND a.id < b.id
     WHERE a.status = 'confirmed' AND b.status = 'confirmed'
       AND tstzrange(a.start_time, a.end_time) && tstzrange(b.start_time, b.end_time)`);
  await c.end();
  return r.rows[0].n;
}

describe('no overbooking under real concurrency', () => {
  it('100 concurrent requests for one slot, each on its own connection: exactly one 201, 99 SLOT_TAKEN, no 5xx', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const slot = slotAt(20);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => rawRequest(`${t.url}/api/appointments`, 'POST', tenant.apiKey, { tenant_id: tenant.id, ...slot, ...newClient() })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
    const conflicts = results.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(99);
    expect(conflicts.every((r) => r.body.error === 'SLOT_TAKEN')).toBe(true);
    expect(await overlappingPairs(t.db.url)).toBe(0);
  });

  it('randomized stress: 20 clients, 1,000 create/reschedule/cancel requests on 3 tenants leave no overlap and lose no 201', async () => {
    const tenants: (TestTenant & { resources: string[] })[] = [];
    for (let i = 0; i < 3; i++) {
      const tn = await newTenant(t.url, t.adminKey);
      const extra = await client(t.url, tn.apiKey).post(`/api/tenants/${tn.id}/resources`, { name: 'Room 2' });
      expect(extra.status).toBe(201);
      tenants.push({ ...tn, resources: [tn.resourceId, extra.body.id] });
    }
    const base = futureBase(40);
    const created: { id: string; tenant: TestTenant }[] = [];
    const acked = new Set<string>();
    const statuses: number[] = [];
    // mulberry32: a seeded PRNG with usable low bits, so runs are reproducible
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
    };
    const interval = () => {
      const start = new Date(base.getTime() + rand(24) * 30 * 60_000);
      const end = new Date(start.getTime() + (1 + rand(3)) * 30 * 60_000);
      return { start: start.toISOString(), end: end.toISOString() };
    };
    let remaining = 1000;
    async function worker() {
      while (remaining-- > 0) {
        const op = rand(10);
        if (op < 6 || created.length === 0) {
          const tn = tenants[rand(3)]!;
          const r = await client(t.url, tn.apiKey).post('/api/appointments', { tenant_id: tn.id, resource_id: tn.resources[rand(2)], ...interval(), ...newClient() });
          statuses.push(r.status);
          if (r.status === 201) {
            created.push({ id: r.body.id, tenant: tn });
            acked.add(r.body.id);
          }
        } else if (op < 9) {
          const target = created[rand(created.length)]!;
          const r = await client(t.url, target.tenant.apiKey).post(`/api/appointments/${target.id}/reschedule`, interval());
          statuses.push(r.status);
        } else {
          const target = created[rand(created.length)]!;
          const r = await client(t.url, target.tenant.apiKey).post(`/api/appointments/${target.id}/cancel`);
          statuses.push(r.status);
        }
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(statuses).toHaveLength(1000);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => [200, 201, 409].includes(s))).toBe(true);
    expect(acked.size).toBeGreaterThan(30);
    expect(await overlappingPairs(t.db.url)).toBe(0);
    const c = new pg.Client({ connectionString: t.db.url });
    await c.connect();
    const rows = await c.query(`SELECT id FROM appointments WHERE id = ANY($1::uuid[])`, [[...acked]]);
    await c.end();
    expect(rows.rowCount).toBe(acked.size);
  });

  it('a reschedule onto a taken slot answers 409 and leaves the original untouched', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const api = client(t.url, tenant.apiKey);
    const a = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(2), ...newClient() });
    const b = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(4), ...newClient() });
    expect([a.status, b.status]).toEqual([201, 201]);
    const r = await api.post(`/api/appointments/${b.body.id}/reschedule`, slotAt(2));
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('SLOT_TAKEN');
    const after = await api.get(`/api/appointments/${b.body.id}`);
    expect(after.body.start).toBe(b.body.start);
    expect(after.body.version).toBe(1);
    expect(after.body.status).toBe('confirmed');
  });
});
