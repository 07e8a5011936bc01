import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient, newTenant, slotAt } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ holdTtlSeconds: 1, holdSweepIntervalMs: 200 });
});
afterAll(async () => {
  await t?.close();
});

describe('holds', () => {
  it('two clients cannot hold overlapping time; after the TTL a new hold succeeds; the expired hold answers 410; exactly one HoldExpired', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const api = client(t.url, tenant.apiKey);
    const slot = slotAt(6);
    const first = await api.post('/api/holds', { tenant_id: tenant.id, ...slot });
    expect(first.status).toBe(201);
    expect(new Date(first.body.expires_at).getTime()).toBeGreaterThan(Date.now() - 5000);
    const overlapping = await api.post('/api/holds', { tenant_id: tenant.id, start: slot.start, end: slotAt(7).end });
    expect(overlapping.status).toBe(409);
    expect(overlapping.body.error).toBe('SLOT_TAKEN');
    const directBooking = await api.post('/api/appointments', { tenant_id: tenant.id, ...slot, ...newClient() });
    expect(directBooking.status).toBe(409);

    await new Promise((r) => setTimeout(r, 1300));
    const second = await api.post('/api/holds', { tenant_id: tenant.id, ...slot });
    expect(second.status).toBe(201);
    const expiredConfirm = await api.post('/api/appointments', { tenant_id: tenant.id, hold_id: first.body.id, ...slot, ...newClient() });
    expect(expiredConfirm.status).toBe(410);
    expect(expiredConfirm.body.error).toBe('HOLD_EXPIRED');

    // let the sweeper run a few times: it must not record a second HoldExpired for the same hold
    await new Promise((r) => setTimeout(r, 1500));
    const c = new pg.Client({ connectionString: t.db.url });
    await c.connect();
    const ev = await c.query(`SELECT payload FROM domain_events WHERE type = 'HoldExpired' AND payload->>'hold_id' = $1`, [first.body.id]);
    await c.end();
    expect(ev.rowCount).toBe(1);
  });

  it('confirming a live hold books it; the hold cannot be used twice', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const api = client(t.url, tenant.apiKey);
    const slot = slotAt(10);
    const hold = await api.post('/api/holds', { tenant_id: tenant.id, ...slot });
    const booked = await api.post('/api/appointments', { tenant_id: tenant.id, hold_id: hold.body.id, ...slot, ...newClient() });
    expect(booked.status).toBe(201);
    expect(booked.body.hold_id).toBe(hold.body.id);
    const again = await api.post('/api/appointments', { tenant_id: tenant.id, hold_id: hold.body.id, ...slot, ...newClient() });
    expect(again.status).toBe(409);
    const holdOnBooked = await api.post('/api/holds', { tenant_id: tenant.id, ...slot });
    expect(holdOnBooked.status).toBe(409);
  });

  it('a hold for a different time than the booking is refused', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const api = client(t.url, tenant.apiKey);
    const hold = await api.post('/api/holds', { tenant_id: tenant.id, ...slotAt(12) });
    const r = await api.post('/api/appointments', { tenant_id: tenant.id, hold_id: hold.body.id, ...slotAt(13), ...newClient() });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('HOLD_MISMATCH');
  });
});
