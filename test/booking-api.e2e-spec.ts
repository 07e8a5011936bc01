import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await newTenant(t.url, t.adminKey);
  b = await newTenant(t.url, t.adminKey);
});
afterAll(async () => {
  await t?.close();
});

async function count(table: string): Promise<number> {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  const r = await c.query(`SELECT count(*)::int AS n FROM ${table}`);
  await c.end();
  return r.rows[0].n;
}

describe('auth and tenant isolation', () => {
  it('missing or wrong keys answer 401', async () => {
    expect((await client(t.url).get(`/api/appointments?tenant_id=${a.id}`)).status).toBe(401);
    expect((await client(t.url, 'sk_nothingvalid_xxxxxxxxxxxxxxxxxxxxxxxx').get('/api/appointments')).status).toBe(401);
    expect((await client(t.url, 'garbage').post('/api/holds', {})).status).toBe(401);
  });

  it("another tenant's objects answer 404, for reads and writes", async () => {
    const apiA = client(t.url, a.apiKey);
    const apiB = client(t.url, b.apiKey);
    const apt = await apiA.post('/api/appointments', { tenant_id: a.id, ...slotAt(30), ...newClient() });
    expect(apt.status).toBe(201);
    expect((await apiB.get(`/api/appointments/${apt.body.id}`)).status).toBe(404);
    expect((await apiB.post(`/api/appointments/${apt.body.id}/cancel`)).status).toBe(404);
    expect((await apiB.post(`/api/appointments/${apt.body.id}/reschedule`, slotAt(31))).status).toBe(404);
    expect((await apiB.post(`/api/appointments/${apt.body.id}/check-in`)).status).toBe(404);
    expect((await apiB.post('/api/appointments', { tenant_id: a.id, ...slotAt(32), ...newClient() })).status).toBe(404);
    expect((await apiB.post('/api/holds', { tenant_id: a.id, ...slotAt(32) })).status).toBe(404);
    expect((await apiB.get(`/api/availability?tenant_id=${a.id}&date=2031-01-01`)).status).toBe(404);
    expect((await apiB.get(`/api/tenants/${a.id}`)).status).toBe(404);
    const list = await apiB.get('/api/appointments');
    expect(list.body.items.some((x: { id: string }) => x.id === apt.body.id)).toBe(false);
    // and it is still there, untouched, for its owner
    const mine = await apiA.get(`/api/appointments/${apt.body.id}`);
    expect(mine.body.status).toBe('confirmed');
  });

  it('a tenant key cannot create tenants (403); the admin can', async () => {
    expect((await client(t.url, a.apiKey).post('/api/tenants', { name: 'x', slug: 'xyz-abc', timezone: 'UTC' })).status).toBe(403);
  });
});

describe('booking lifecycle', () => {
  it('book → reschedule → check-in → cancel, each bumping the version where the schedule changes, each recording its event', async () => {
    const api = client(t.url, a.apiKey);
    const apt = await api.post('/api/appointments', { tenant_id: a.id, ...slotAt(40), ...newClient(), service: 'Check-up' });
    expect(apt.status).toBe(201);
    expect(apt.body.version).toBe(1);
    const moved = await api.post(`/api/appointments/${apt.body.id}/reschedule`, slotAt(41));
    expect(moved.status).toBe(200);
    expect(moved.body.version).toBe(2);
    expect(moved.body.start).toBe(slotAt(41).start);
    const checked = await api.post(`/api/appointments/${apt.body.id}/check-in`);
    expect(checked.status).toBe(200);
    expect(checked.body.checked_in_at).toBeTruthy();
    const cancelled = await api.post(`/api/appointments/${apt.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.version).toBe(3);
    expect((await api.post(`/api/appointments/${apt.body.id}/cancel`)).status).toBe(409);
    // the freed slot can be booked again
    expect((await api.post('/api/appointments', { tenant_id: a.id, ...slotAt(41), ...newClient() })).status).toBe(201);

    const c = new pg.Client({ connectionString: t.db.url });
    await c.connect();
    const ev = await c.query(
      `SELECT type FROM domain_events WHERE payload->'appointment'->>'id' = $1 OR payload->'new_apt'->>'id' = $1 ORDER BY seq`,
      [apt.body.id],
    );
    const stored = await c.query(`SELECT payload::text AS p FROM domain_events WHERE tenant_id = $1`, [a.id]);
    await c.end();
    expect(ev.rows.map((r) => r.type)).toEqual(['BookingCreated', 'BookingRescheduled', 'BookingCancelled']);
    // events hold ids, never the client's details
    expect(stored.rows.some((r) => r.p.includes('@example.com') || r.p.includes('Client '))).toBe(false);
  });

  it('availability lists slots in the tenant timezone and marks booked ones', async () => {
    const tz = await newTenant(t.url, t.adminKey, { timezone: 'America/New_York', business_hours: { mon: [['09:00', '12:00']], tue: [['09:00', '12:00']], wed: [['09:00', '12:00']], thu: [['09:00', '12:00']], fri: [['09:00', '12:00']] } });
    const api = client(t.url, tz.apiKey);
    const r = await api.get(`/api/availability?date=2031-07-07`); // a Monday, EDT (UTC-4)
    expect(r.status).toBe(200);
    expect(r.body.slots).toHaveLength(6);
    expect(r.body.slots[0].start).toBe('2031-07-07T13:00:00.000Z');
    const booked = await api.post('/api/appointments', { tenant_id: tz.id, start: '2031-07-07T13:30:00Z', end: '2031-07-07T14:00:00Z', ...newClient() });
    expect(booked.status).toBe(201);
    const after = await api.get(`/api/availability?date=2031-07-07`);
    expect(after.body.slots.map((s: { available: boolean }) => s.available)).toEqual([true, false, true, true, true, true]);
    const sunday = await api.get(`/api/availability?date=2031-07-06`);
    expect(sunday.body.slots).toHaveLength(0);
  });
});

describe('bad input gets a clear 4xx naming the field, and nothing is written', () => {
  it.each([
    ['end before start', { start: slotAt(51).start, end: slotAt(50).start }, 'end'],
    ['zero length', { start: slotAt(50).start, end: slotAt(50).start }, 'end'],
    ['off the grid', { start: new Date(new Date(slotAt(50).start).getTime() + 7 * 60_000).toISOString(), end: new Date(new Date(slotAt(50).start).getTime() + 37 * 60_000).toISOString() }, 'start'],
    ['in the past', { start: '2020-01-06T10:00:00Z', end: '2020-01-06T10:30:00Z' }, 'start'],
    ['not a time', { start: 'tomorrow', end: slotAt(50).end }, 'start'],
    ['malformed email', { ...slotAt(50), client_email: 'not-an-email' }, 'client_email'],
    ['name too long', { ...slotAt(50), client_name: 'x'.repeat(201) }, 'client_name'],
    ['unknown field', { ...slotAt(50), is_admin: true }, 'is_admin'],
    ['bad resource id', { ...slotAt(50), resource_id: 'nope' }, 'resource_id'],
  ])('%s', async (_name, patch, field) => {
    const before = await count('appointments');
    const r = await client(t.url, a.apiKey).post('/api/appointments', { tenant_id: a.id, ...newClient(), ...slotAt(50), ...patch });
    expect(r.status).toBe(400);
    expect(r.body.field).toBe(field);
    expect(await count('appointments')).toBe(before);
  });

  it('unknown tenant, resource and hold answer 404', async () => {
    const admin = client(t.url, t.adminKey);
    expect((await admin.post('/api/appointments', { tenant_id: '00000000-0000-4000-8000-000000000000', ...slotAt(50), ...newClient() })).status).toBe(404);
    expect((await admin.post('/api/appointments', { tenant_id: a.id, resource_id: b.resourceId, ...slotAt(50), ...newClient() })).status).toBe(404);
    expect((await admin.post('/api/appointments', { tenant_id: a.id, hold_id: '00000000-0000-4000-8000-000000000000', ...slotAt(50), ...newClient() })).status).toBe(404);
  });

  it('outside business hours answers 400', async () => {
    const nine2five = await newTenant(t.url, t.adminKey, { business_hours: undefined });
    const r = await client(t.url, nine2five.apiKey).post('/api/appointments', { tenant_id: nine2five.id, start: '2031-07-07T20:00:00Z', end: '2031-07-07T20:30:00Z', ...newClient() });
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('start');
  });

  it('a body that is not JSON answers 400, an oversized body 413', async () => {
    const r = await client(t.url, a.apiKey).post('/api/appointments', '{"tenant_id": ', {});
    expect(r.status).toBe(400);
    const big = await client(t.url, a.apiKey).post('/api/appointments', { tenant_id: a.id, notes: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
  });

  it('tenant creation validates timezone, slug and business hours', async () => {
    const admin = client(t.url, t.adminKey);
    const tz = await admin.post('/api/tenants', { name: 'x', slug: 'bad-tz', timezone: 'Mars/Olympus' });
    expect([tz.status, tz.body.field]).toEqual([400, 'timezone']);
    const slug = await admin.post('/api/tenants', { name: 'x', slug: 'Bad Slug', timezone: 'UTC' });
    expect([slug.status, slug.body.field]).toEqual([400, 'slug']);
    const hours = await admin.post('/api/tenants', { name: 'x', slug: 'bad-hours', timezone: 'UTC', business_hours: { funday: [] } });
    expect([hours.status, hours.body.field]).toEqual([400, 'business_hours.funday']);
    const dup = await admin.post('/api/tenants', { name: 'x', slug: a.slug, timezone: 'UTC' });
    expect([dup.status, dup.body.error]).toEqual([409, 'SLUG_TAKEN']);
  });
});

describe('operations', () => {
  it('GET /health checks the database; /docs-json documents the routes', async () => {
    const h = await client(t.url).get('/health');
    expect(h.status).toBe(200);
    expect(h.body.database).toBe('up');
    const docs = await client(t.url).get('/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/appointments', '/api/holds', '/api/availability', '/api/tenants']));
  });
});
