import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditModule } from '../src/modules/audit/audit.module.js';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { captureLogs, type LogCapture } from './support/log-capture.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { settleAuditTrail } from './support/audit-settle.js';

interface AuditItem {
  id: string;
  tenant_id: string | null;
  event_type: string;
  entity_type: string | null;
  entity_id: string | null;
  actor: string;
  payload: any;
  correlation_id: string | null;
  created_at: string;
  chain_seq: number | null;
  hash: string | null;
}

let t: TestApp;
let logs: LogCapture;
let su: pg.Client;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  logs = captureLogs();
  // The autonomy master switch off (explicitly): nothing is sent, no job runs. The runtime still
  // audits its decisions about every booking (policy.decision, autonomy.action_not_scheduled) in
  // its own transactions after the request, so counts are taken from the database once quiet.
  t = await startTestApp({ autonomyEnabled: false }, undefined, [AuditModule]);
  su = new pg.Client({ connectionString: t.db.url });
  await su.connect();
  a = await newTenant(t.url, t.adminKey);
  b = await newTenant(t.url, t.adminKey);
});
afterAll(async () => {
  await su?.end();
  await t?.close();
  logs?.restore();
});

/** The tenant's audit trail once quiet, counted by event type (see support/audit-settle.ts). */
const settle = (tenantId: string, min: Record<string, number> = {}) => settleAuditTrail(su, tenantId, min);

/** The ids of a tenant's rows as the database has them, newest first (the listing's order), optionally only `where`. */
async function idsInDb(tenantId: string, where = 'true', params: unknown[] = []): Promise<string[]> {
  const r = await su.query<{ id: string }>(`SELECT id FROM audit_log WHERE tenant_id = $1 AND (${where}) ORDER BY created_at DESC, seq DESC`, [tenantId, ...params]);
  return r.rows.map((x) => x.id);
}

/** Request audit rows are buffered (~50 ms): wait for the one a correlation id names. */
async function requestAudit(correlationId: string): Promise<AuditItem> {
  for (let i = 0; i < 200; i++) {
    const r = await su.query(`SELECT * FROM audit_log WHERE correlation_id = $1 AND event_type = 'api.request'`, [correlationId]);
    if (r.rows.length > 0) {
      expect(r.rows).toHaveLength(1);
      return r.rows[0];
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no request audit row for ${correlationId}`);
}

async function keyIdOf(tenant: TestTenant): Promise<string> {
  const r = await su.query(`SELECT id FROM api_keys WHERE tenant_id = $1`, [tenant.id]);
  return r.rows[0].id;
}

async function book(tenant: TestTenant, n: number, correlationId?: string, person = newClient()) {
  return client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(n), ...person }, correlationId ? { 'x-correlation-id': correlationId } : {});
}

/** Every page of a listing, following next_cursor. */
async function allPages(key: string, query: string, limit: number): Promise<AuditItem[]> {
  const items: AuditItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const params = [query, `limit=${limit}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
    const res: { status: number; body: { items: AuditItem[]; next_cursor: string | null } } = await client(t.url, key).get(`/api/audit?${params}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('pagination did not end');
}

describe('the request audit interceptor', () => {
  const zoe = { client_name: 'Zoë Müller-Łukasiewicz', client_email: 'zoe.mueller+audit@example.org', client_phone: '+49 30 901820 77' };

  it('audits a POST: route, method, actor, status, duration, correlation id, redacted body, and no Authorization header', async () => {
    const res = await book(a, 1, 'corr-audit-post-1', zoe);
    expect(res.status).toBe(201);
    const row = await requestAudit('corr-audit-post-1');
    expect(row).toMatchObject({
      tenant_id: a.id,
      event_type: 'api.request',
      entity_type: 'appointments',
      entity_id: res.body.id,
      actor: `key:${await keyIdOf(a)}`,
    });
    expect(row.payload).toMatchObject({ method: 'POST', route: '/api/appointments', handler: 'AppointmentsController.create', status: 201, params: {}, query: {} });
    expect(row.payload.duration_ms).toBeGreaterThan(0);
    expect(row.payload.duration_ms).toBeLessThan(10_000);
    // ids and times stay readable; the client's details are redacted to correlatable tags
    expect(row.payload.request_body).toMatchObject({ tenant_id: a.id, start: slotAt(1).start, end: slotAt(1).end });
    expect(row.payload.request_body.client_name).toMatch(/^\[NAME:[0-9a-f]{6}\]$/);
    expect(row.payload.request_body.client_email).toMatch(/^\[EMAIL:[0-9a-f]{6}\]$/);
    expect(row.payload.request_body.client_phone).toMatch(/^\[PHONE:[0-9a-f]{6}\]$/);
    const stored = JSON.stringify(row).toLowerCase();
    for (const needle of ['zoë', 'müller', 'łukasiewicz', 'zoe.mueller', 'example.org', '901820', '4930901820', 'authorization', 'bearer', a.apiKey.toLowerCase()]) {
      expect(stored, needle).not.toContain(needle);
    }
  });

  it('audits failing requests with their final status and error code (409, 400, 404)', async () => {
    expect((await book(a, 2)).status).toBe(201);
    const taken = await book(a, 2, 'corr-audit-409');
    expect(taken.status).toBe(409);
    expect((await requestAudit('corr-audit-409')).payload).toMatchObject({ status: 409, error: 'SLOT_TAKEN', method: 'POST' });

    const api = client(t.url, a.apiKey);
    const bad = await api.post('/api/appointments', { tenant_id: a.id, ...slotAt(3), ...newClient(), client_email: 'not-an-email' }, { 'x-correlation-id': 'corr-audit-400' });
    expect(bad.status).toBe(400);
    const badRow = await requestAudit('corr-audit-400');
    expect(badRow.payload).toMatchObject({ status: 400, error: 'VALIDATION_FAILED' });
    expect(JSON.stringify(badRow.payload)).not.toContain('not-an-email');

    const missing = '7d1f5e8a-0000-4000-8000-000000000001';
    const gone = await api.post(`/api/appointments/${missing}/cancel`, undefined, { 'x-correlation-id': 'corr-audit-404' });
    expect(gone.status).toBe(404);
    const goneRow = await requestAudit('corr-audit-404');
    expect(goneRow).toMatchObject({ entity_id: missing, tenant_id: a.id });
    expect(goneRow.payload).toMatchObject({ status: 404, route: '/api/appointments/:id/cancel', params: { id: missing } });
  });

  it("audits every admin request, reads included, but not a tenant key's reads", async () => {
    const tenantGet = await client(t.url, a.apiKey).raw('GET', '/api/appointments', undefined, { 'x-correlation-id': 'corr-tenant-get' });
    expect(tenantGet.status).toBe(200);
    const adminGet = await client(t.url, t.adminKey).raw('GET', `/api/appointments?tenant_id=${a.id}&status=confirmed`, undefined, { 'x-correlation-id': 'corr-admin-get' });
    expect(adminGet.status).toBe(200);
    expect((await book(a, 4, 'corr-marker')).status).toBe(201);
    await requestAudit('corr-marker'); // written after the two reads (one buffer, in order)
    const adminRow = await requestAudit('corr-admin-get');
    expect(adminRow).toMatchObject({ actor: 'admin', tenant_id: a.id });
    expect(adminRow.payload).toMatchObject({ method: 'GET', status: 200, route: '/api/appointments', query: { tenant_id: a.id, status: 'confirmed' } });
    const none = await su.query(`SELECT count(*)::int AS n FROM audit_log WHERE correlation_id = 'corr-tenant-get'`);
    expect(none.rows[0].n).toBe(0);
  });

  it('a request audit that cannot be written never fails the request, and is logged redacted', async () => {
    await su.query(`
      CREATE FUNCTION test_reject_request_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_type = 'api.request' THEN
          RAISE EXCEPTION 'audit store refused a row (contact ops.oncall@example.net, +44 20 7946 0321)';
        END IF;
        RETURN NEW;
      END $$`);
    await su.query(`CREATE TRIGGER test_reject_request_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_reject_request_audit()`);
    try {
      const res = await book(a, 5, 'corr-audit-fails');
      expect(res.status).toBe(201);
      let line: string | undefined;
      for (let i = 0; i < 100 && !line; i++) {
        await new Promise((r) => setTimeout(r, 20));
        line = logs.lines.find((l) => l.includes('could not write'));
      }
      expect(line, 'an error log line').toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 'error', context: 'AuditBatchWriter' });
      expect(line).toContain('audit store refused a row');
      expect(line).not.toContain('ops.oncall@example.net');
      expect(line).not.toContain('7946 0321');
    } finally {
      await su.query(`DROP TRIGGER test_reject_request_audit ON audit_log`);
      await su.query(`DROP FUNCTION test_reject_request_audit()`);
    }
    // the booking itself, and its event's audit row, committed
    const event = await su.query(`SELECT count(*)::int AS n FROM audit_log WHERE correlation_id = 'corr-audit-fails' AND event_type = 'event.BookingCreated'`);
    expect(event.rows[0].n).toBe(1);
  });
});

describe('GET /api/audit', () => {
  let bookings: string[];
  beforeAll(async () => {
    bookings = [];
    for (let i = 0; i < 5; i++) {
      const res = await book(b, 20 + i);
      expect(res.status).toBe(201);
      bookings.push(res.body.id);
    }
    expect((await client(t.url, b.apiKey).post(`/api/appointments/${bookings[0]}/cancel`)).status).toBe(200);
    // wait until B's trail is complete and quiet: 1 tenant.created + 6 events + 6 audited POSTs, and
    // the runtime's rows about them; B's own key only reads from here on (not audited), so it stays so
    const mine = { 'tenant.created': 1, 'event.BookingCreated': 5, 'event.BookingCancelled': 1, 'api.request': 6 };
    expect(await settle(b.id, mine)).toMatchObject(mine);
  });

  it('filters by event type, entity id and time range', async () => {
    const api = client(t.url, b.apiKey);
    const created = await api.get('/api/audit?event_type=event.BookingCreated');
    expect(created.status).toBe(200);
    expect(created.body.items.map((x: AuditItem) => x.entity_id).sort()).toEqual([...bookings].sort());
    expect(created.body.items.every((x: AuditItem) => x.event_type === 'event.BookingCreated' && x.tenant_id === b.id)).toBe(true);

    const about = (await api.get(`/api/audit?entity_id=${bookings[0]}&limit=500`)).body.items as AuditItem[];
    // exactly the rows about that booking, whoever wrote them (the runtime's too), none about another
    expect(about.map((x) => x.id)).toEqual(await idsInDb(b.id, 'entity_id = $2', [bookings[0]]));
    expect(about.every((x) => x.entity_id === bookings[0])).toBe(true);
    // among them its two audited POSTs and its two events
    const ours = about.filter((x) => x.event_type === 'api.request' || x.event_type.startsWith('event.'));
    expect(ours.map((x) => x.event_type).sort()).toEqual(['api.request', 'api.request', 'event.BookingCancelled', 'event.BookingCreated']);

    const all = (await api.get('/api/audit?limit=500')).body.items as AuditItem[];
    expect(all.map((x) => x.id)).toEqual(await idsInDb(b.id));
    expect(all.length).toBeGreaterThanOrEqual(13);
    const pivot = all[Math.floor(all.length / 2)]!.created_at;
    const from = (await api.get(`/api/audit?limit=500&from=${encodeURIComponent(pivot)}`)).body.items as AuditItem[];
    const to = (await api.get(`/api/audit?limit=500&to=${encodeURIComponent(pivot)}`)).body.items as AuditItem[];
    expect(from.length).toBeGreaterThan(0);
    expect(to.length).toBeGreaterThan(0);
    expect(from.every((x) => x.created_at >= pivot)).toBe(true);
    expect(to.every((x) => x.created_at < pivot)).toBe(true);
    expect(from.map((x) => x.id)).toEqual(await idsInDb(b.id, 'created_at >= $2::timestamptz', [pivot]));
    expect(to.map((x) => x.id)).toEqual(await idsInDb(b.id, 'created_at < $2::timestamptz', [pivot]));

    // the bounds compare at the stored precision (microseconds, as listed), not at milliseconds
    const other = randomUUID();
    const times = ['2031-07-07T08:00:00.123400Z', '2031-07-07T08:00:00.123456Z', '2031-07-07T08:00:00.123900Z', '2031-07-07T08:00:00.124100Z'];
    for (const at of times) {
      await su.query(`INSERT INTO audit_log (tenant_id, event_type, actor, created_at) VALUES ($1, 'test.precision', 'system', $2)`, [other, at]);
    }
    const admin = client(t.url, t.adminKey);
    const window = async (bound: string) =>
      ((await admin.get(`/api/audit?tenant_id=${other}&event_type=test.precision&${bound}`)).body.items as AuditItem[]).map((x) => x.created_at);
    expect(await window(`from=${encodeURIComponent(times[1]!)}`)).toEqual([times[3], times[2], times[1]]);
    expect(await window(`to=${encodeURIComponent(times[1]!)}`)).toEqual([times[0]]);
    // the same instant with an offset
    expect(await window(`from=${encodeURIComponent('2031-07-07T10:00:00.123456+02:00')}&to=${encodeURIComponent(times[3]!)}`)).toEqual([times[2], times[1]]);
  });

  it('pages newest first with an opaque cursor: no row twice, none missed', async () => {
    const api = client(t.url, b.apiKey);
    const one = (await api.get('/api/audit?limit=500')).body;
    expect(one.next_cursor).toBeNull();
    const whole = one.items as AuditItem[];
    for (let i = 1; i < whole.length; i++) expect(whole[i - 1]!.created_at >= whole[i]!.created_at).toBe(true);
    for (const size of [1, 2, 5]) {
      const paged = await allPages(b.apiKey, '', size);
      expect(paged.map((x) => x.id), `pages of ${size}`).toEqual(whole.map((x) => x.id));
    }
    const filtered = await allPages(b.apiKey, 'event_type=api.request', 2);
    expect(filtered.map((x) => x.id)).toEqual(whole.filter((x) => x.event_type === 'api.request').map((x) => x.id));
  });

  it('is tenant-scoped: a tenant sees only its rows, another tenant answers 404; the admin sees all or one', async () => {
    const mine = await allPages(a.apiKey, 'tenant_id=' + a.id, 100);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x) => x.tenant_id === a.id)).toBe(true);
    expect((await client(t.url, a.apiKey).get(`/api/audit?tenant_id=${b.id}`)).status).toBe(404);
    expect((await client(t.url, a.apiKey).get(`/api/audit?entity_id=${bookings[1]}`)).body.items).toEqual([]);

    const adminAll = await allPages(t.adminKey, '', 500);
    const tenants = new Set(adminAll.map((x) => x.tenant_id));
    expect(tenants.has(a.id) && tenants.has(b.id) && tenants.has(null)).toBe(true);
    const bInDb = await idsInDb(b.id);
    const adminB = await allPages(t.adminKey, `tenant_id=${b.id}`, 500);
    // all of B's rows (the admin's own reads of B are audited into B's trail as well, so there may be more)
    expect(adminB.map((x) => x.id)).toEqual(expect.arrayContaining(bInDb));
    expect(adminB.length).toBeGreaterThanOrEqual(13);
    expect(adminB.every((x) => x.tenant_id === b.id)).toBe(true);
  });

  it("verifies a tenant's own chain only; the admin verifies one chain or all", async () => {
    await settle(a.id); // nothing of A's still being written, so the count below is the one verified
    const v = await client(t.url, a.apiKey).get('/api/audit/verify');
    expect(v.status).toBe(200);
    const sealedA = await su.query(`SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND hash IS NOT NULL`, [a.id]);
    expect(v.body).toMatchObject({ ok: true, chains: 1, checked: sealedA.rows[0].n, broken_at: null });
    expect((await client(t.url, a.apiKey).get(`/api/audit/verify?tenant_id=${b.id}`)).status).toBe(404);

    const adminAll = await client(t.url, t.adminKey).get('/api/audit/verify');
    expect(adminAll.body.ok).toBe(true);
    expect(adminAll.body.chains).toBeGreaterThanOrEqual(3); // A, B and the platform
    expect(adminAll.body.checked).toBeGreaterThan(v.body.checked);

    // a broken chain of B is B's problem: A's verification does not cover it
    const victim = await su.query(`SELECT id FROM audit_log WHERE tenant_id = $1 AND chain_seq = 2`, [b.id]);
    await su.query('BEGIN');
    await su.query(`SET LOCAL session_replication_role = replica`);
    await su.query(`UPDATE audit_log SET actor = 'system' WHERE id = $1`, [victim.rows[0].id]);
    await su.query('COMMIT');
    expect((await client(t.url, a.apiKey).get('/api/audit/verify')).body.ok).toBe(true);
    const brokenB = await client(t.url, b.apiKey).get('/api/audit/verify');
    expect(brokenB.body).toMatchObject({ ok: false, broken_at: { id: victim.rows[0].id, chain_seq: 2, tenant_id: b.id } });
    expect((await client(t.url, t.adminKey).get(`/api/audit/verify?tenant_id=${b.id}`)).body.ok).toBe(false);
  });

  it('rejects bad filters with 400 naming the field, and requires a key', async () => {
    const api = client(t.url, a.apiKey);
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['yesterday', '7d1f5e8a-0000-4000-8000-000000000001'])).toString('base64url')}`, 'cursor'],
      ['tenant_id=nope', 'tenant_id'],
      ['from=yesterday', 'from'],
      ['to=2031-13-01', 'to'],
      ['event_type=a%20b', 'event_type'],
      ['sort=asc', 'sort'],
    ];
    for (const [query, field] of cases) {
      const res = await api.get(`/api/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.field, query).toBe(field);
    }
    expect((await client(t.url).get('/api/audit')).status).toBe(401);
    expect((await client(t.url).get('/api/audit/verify')).status).toBe(401);
  });
});
