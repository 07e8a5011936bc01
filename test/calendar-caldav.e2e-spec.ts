import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { deleteObject, fetchCalendarObjects } from 'tsdav';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/common/database/embedded-postgres.js';
import { DomainEventPublisher } from '../src/common/events/domain-event-publisher.js';
import type { DomainEvent } from '../src/common/events/domain-events.js';
import { CaldavCalendarProvider } from '../src/modules/booking/calendar/caldav-calendar.provider.js';
import { CALENDAR_PROVIDER, type CalendarProvider } from '../src/modules/booking/calendar/calendar-provider.js';
import { CalendarSyncService } from '../src/modules/booking/calendar/calendar-sync.service.js';
import { describeCalendarError } from '../src/modules/booking/calendar/describe-calendar-error.js';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startRadicale, type Radicale } from './support/radicale.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

interface StoredEvent {
  url: string;
  data: string;
  prop(name: string): string | undefined;
}

let radicale: Radicale;
let calendarUrl: string;
/** Why Radicale could not start (e.g. not installed): every test that needs it fails with this. */
let radicaleError: unknown;

beforeAll(async () => {
  try {
    radicale = await startRadicale();
    calendarUrl = await radicale.createCalendar('appointments');
  } catch (e) {
    radicaleError = e;
  }
});
afterAll(async () => {
  await radicale?.dispose();
});

/**
 * What the CalDAV server holds, read back with calendar-query REPORTs (not the code under test;
 * no multiget, which fails when an object is deleted between listing and fetching).
 */
async function serverEvents(uid: string): Promise<StoredEvent[]> {
  const objects = await fetchCalendarObjects({ calendar: { url: calendarUrl }, headers: radicale.headers, useMultiGet: false });
  return objects
    .map((o) => {
      const data = String(o.data ?? '');
      const unfolded = data.replace(/\r\n[ \t]/g, '');
      const prop = (name: string) => new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*)$`, 'm').exec(unfolded)?.[1]?.trim();
      return { url: o.url, data: unfolded, prop };
    })
    .filter((e) => e.prop('UID') === uid);
}

/** `2031-07-07T08:00:00.000Z` → `20310707T080000Z`, the iCalendar UTC form. */
function icalUtc(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000) =>
  pollUntil(what, probe, timeoutMs, 50);

/** Fails (not skips) each test of a suite when Radicale is unavailable. */
function requireRadicale(): void {
  beforeEach(() => {
    if (radicaleError) throw radicaleError;
  });
}

describe('calendar sync with the CalDAV provider (a real Radicale server)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let sql: pg.Client;
  let slot = 0;
  requireRadicale();

  beforeAll(async () => {
    if (radicaleError) return;
    t = await startTestApp({
      calendarProvider: 'caldav',
      caldavUrl: calendarUrl,
      caldavUsername: radicale.username,
      caldavPassword: radicale.password,
      caldavTimeoutMs: 3000,
    });
    tenant = await newTenant(t.url, t.adminKey, { timezone: 'Europe/Berlin' });
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  async function book(service = 'Check-up'): Promise<{ id: string; start: string; end: string; status: number; ms: number }> {
    const s = slotAt(10 + 2 * slot++);
    const started = Date.now();
    const res = await client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...s, ...newClient(), service });
    return { id: res.body?.id, ...s, status: res.status, ms: Date.now() - started };
  }

  async function syncStatus(id: string): Promise<string> {
    return (await client(t.url, tenant.apiKey).get(`/api/appointments/${id}`)).body.calendar_sync_status;
  }

  const synced = (id: string) => waitFor(`appointment ${id} synced`, async () => (await syncStatus(id)) === 'synced');

  it('after booking, the event is on the server: UID from the appointment id, DTSTART/DTEND in UTC, the service, no client details', async () => {
    const clientDetails = newClient();
    const s = slotAt(200);
    const res = await client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...s, ...clientDetails, service: 'Check-up' });
    expect(res.status).toBe(201);
    await synced(res.body.id);

    const events = await serverEvents(`${res.body.id}@agent-runtime`);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.prop('DTSTART')).toBe(icalUtc(s.start));
    expect(event!.prop('DTEND')).toBe(icalUtc(s.end));
    expect(event!.prop('SUMMARY')).toContain('Check-up');
    expect(event!.prop('X-WR-TIMEZONE')).toBe('Europe/Berlin');
    expect(event!.data).not.toContain(clientDetails.client_email);
    expect(event!.data).not.toContain(clientDetails.client_name);
    expect(event!.data.replace(/\s/g, '')).not.toContain(clientDetails.client_phone.replace(/\s/g, ''));
  });

  it('after a reschedule, the same object shows the new time', async () => {
    const b = await book();
    expect(b.status).toBe(201);
    await synced(b.id);
    const [before] = await serverEvents(`${b.id}@agent-runtime`);
    expect(before!.prop('DTSTART')).toBe(icalUtc(b.start));

    const to = slotAt(300);
    const moved = await client(t.url, tenant.apiKey).post(`/api/appointments/${b.id}/reschedule`, to);
    expect(moved.status).toBe(200);
    const [after] = await waitFor('the moved event', async () => {
      const found = await serverEvents(`${b.id}@agent-runtime`);
      return found.length === 1 && found[0]!.prop('DTSTART') === icalUtc(to.start) ? found : undefined;
    });
    expect(after!.prop('DTEND')).toBe(icalUtc(to.end));
    expect(after!.url).toBe(before!.url);
    await synced(b.id);
  });

  it('after several quick reschedules, the calendar ends at the last time, as one object', async () => {
    const b = await book();
    expect(b.status).toBe(201);
    const api = client(t.url, tenant.apiKey);
    const targets = [slotAt(500), slotAt(502), slotAt(504), slotAt(506)];
    for (const to of targets) expect((await api.post(`/api/appointments/${b.id}/reschedule`, to)).status).toBe(200);
    const last = targets[targets.length - 1]!;
    await waitFor('the last time on the server, synced', async () => {
      const found = await serverEvents(`${b.id}@agent-runtime`);
      return found.length === 1 && found[0]!.prop('DTSTART') === icalUtc(last.start) && (await syncStatus(b.id)) === 'synced';
    });
    // and it stays there once every event's sync has finished
    await waitFor('all booking events handled', async () => {
      const r = await sql.query(`SELECT count(*)::int AS n FROM domain_events WHERE processed_at IS NULL AND (payload->'appointment'->>'id' = $1 OR payload->'new_apt'->>'id' = $1)`, [b.id]);
      return r.rows[0].n === 0;
    });
    const final = await serverEvents(`${b.id}@agent-runtime`);
    expect(final.map((e) => e.prop('DTSTART'))).toEqual([icalUtc(last.start)]);
    expect(await syncStatus(b.id)).toBe('synced');
  });

  it('after a cancel, the event is gone from the server', async () => {
    const b = await book();
    await synced(b.id);
    expect(await serverEvents(`${b.id}@agent-runtime`)).toHaveLength(1);

    expect((await client(t.url, tenant.apiKey).post(`/api/appointments/${b.id}/cancel`)).status).toBe(200);
    await waitFor('the event to be removed', async () => (await serverEvents(`${b.id}@agent-runtime`)).length === 0);
    await synced(b.id);
  });

  it('the provider is idempotent: the same upsert twice leaves one object, removing a missing object succeeds', async () => {
    const provider = t.app.get<CalendarProvider>(CALENDAR_PROVIDER);
    const uid = `idempotency-${Date.now()}@agent-runtime`;
    const event = { uid, start: new Date(slotAt(400).start), end: new Date(slotAt(400).end), summary: 'Probe', description: 'ref', timezone: 'UTC' };
    await provider.upsert(event);
    await provider.upsert({ ...event, summary: 'Probe, again' });
    const stored = await serverEvents(uid);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.prop('SUMMARY')).toBe('Probe\\, again');
    await provider.remove(uid);
    await provider.remove(uid);
    expect(await serverEvents(uid)).toHaveLength(0);
  });

  it('a redelivered event writes nothing again; one whose sync was cut short (still pending) is synced', async () => {
    const b = await book();
    await synced(b.id);
    const row = (await sql.query(`SELECT id, type, tenant_id, payload, correlation_id, created_at FROM domain_events WHERE type = 'BookingCreated' AND payload->'appointment'->>'id' = $1`, [b.id])).rows[0];
    const event: DomainEvent = { id: row.id, type: row.type, tenant_id: row.tenant_id, payload: row.payload, correlation_id: row.correlation_id, occurred_at: row.created_at.toISOString() };
    const publisher = t.app.get(DomainEventPublisher);
    const updatedAt = async () => (await sql.query(`SELECT updated_at FROM appointments WHERE id = $1`, [b.id])).rows[0].updated_at.getTime();
    // Remove the object behind the service's back: only a new write can bring it back.
    const removeOnServer = async () => {
      const [stored] = await serverEvents(`${b.id}@agent-runtime`);
      const res = await deleteObject({ url: stored!.url, headers: radicale.headers });
      expect(res.status).toBeLessThan(300);
    };

    await removeOnServer();
    const before = await updatedAt();
    expect(await publisher.deliver(event)).toBe(true);
    expect(await syncStatus(b.id)).toBe('synced');
    expect(await updatedAt()).toBe(before);
    expect(await serverEvents(`${b.id}@agent-runtime`)).toHaveLength(0);

    // The process died after the handling was recorded, before the write finished.
    await sql.query(`UPDATE appointments SET calendar_sync_status = 'pending' WHERE id = $1`, [b.id]);
    expect(await publisher.deliver(event)).toBe(true);
    expect(await syncStatus(b.id)).toBe('synced');
    const [rewritten] = await serverEvents(`${b.id}@agent-runtime`);
    expect(rewritten!.prop('DTSTART')).toBe(icalUtc(b.start));
    const handlings = await sql.query(`SELECT count(*)::int AS n FROM domain_event_handlings WHERE event_id = $1 AND handler = 'booking.calendar-sync'`, [event.id]);
    expect(handlings.rows[0].n).toBe(1);
  });

  it('with the server stopped, the booking still succeeds, the sync fails with CalendarWriteFailed (recorded and audited); once the server is back, sync(id) brings it to synced', async () => {
    await radicale.stop();
    let b: Awaited<ReturnType<typeof book>>;
    try {
      b = await book('Follow-up visit');
      expect(b.status).toBe(201);
      expect(b.ms).toBeLessThan(2000);
      await waitFor('status failed', async () => (await syncStatus(b.id)) === 'failed');
    } finally {
      await radicale.start();
    }

    const events = await sql.query(`SELECT tenant_id, payload FROM domain_events WHERE type = 'CalendarWriteFailed' AND payload->>'appointment_id' = $1`, [b.id]);
    expect(events.rows).toHaveLength(1);
    const payload = events.rows[0].payload as { appointment_id: string; error: string; tenant_id: string };
    expect(events.rows[0].tenant_id).toBe(tenant.id);
    expect(payload.tenant_id).toBe(tenant.id);
    expect(payload.error).toMatch(/unreachable: ECONNREFUSED/);
    expect(payload.error.length).toBeLessThanOrEqual(200);
    expect(payload.error).not.toContain(radicale.password);
    expect(payload.error).not.toContain('127.0.0.1');
    const audit = await sql.query(`SELECT actor, payload FROM audit_log WHERE event_type = 'event.CalendarWriteFailed' AND entity_type = 'appointment' AND entity_id = $1`, [b.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].payload.error).toBe(payload.error);

    const outcome = await t.app.get(CalendarSyncService).sync(b.id);
    expect(outcome).toMatchObject({ status: 'synced', action: 'upserted' });
    expect(await syncStatus(b.id)).toBe('synced');
    const stored = await serverEvents(`${b.id}@agent-runtime`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.prop('DTSTART')).toBe(icalUtc(b.start));
    // the retry recorded no second failure
    expect((await sql.query(`SELECT 1 FROM domain_events WHERE type = 'CalendarWriteFailed' AND payload->>'appointment_id' = $1`, [b.id])).rowCount).toBe(1);
  });

  it('sync() of another tenant’s appointment, or of an unknown id, changes nothing', async () => {
    const b = await book();
    await synced(b.id);
    const other = await newTenant(t.url, t.adminKey);
    const sync = t.app.get(CalendarSyncService);
    expect(await sync.sync(b.id, { tenantId: other.id })).toEqual({ status: 'skipped', reason: 'not_found' });
    expect(await sync.sync('00000000-0000-4000-8000-000000000000')).toEqual({ status: 'skipped', reason: 'not_found' });
    expect(await syncStatus(b.id)).toBe('synced');
  });
});

/** A pass-through HTTP proxy in front of Radicale that can hold PUTs back and release them later. */
async function startGateProxy(target: string): Promise<{ url: string; holdNextPut(): void; held(): number; release(): void; close(): Promise<void> }> {
  const waiting: (() => void)[] = [];
  let holds = 0;
  const server = http.createServer((req, res) => {
    const forward = () => {
      const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    };
    if (req.method === 'PUT' && holds > 0) {
      holds--;
      waiting.push(forward);
    } else {
      forward();
    }
  });
  const port = await findFreePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/`,
    holdNextPut: () => void holds++,
    held: () => waiting.length,
    release: () => waiting.splice(0).forEach((go) => go()),
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('calendar writes racing each other', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let sql: pg.Client;
  let proxy: Awaited<ReturnType<typeof startGateProxy>>;
  requireRadicale();

  beforeAll(async () => {
    if (radicaleError) return;
    proxy = await startGateProxy(radicale.url);
    t = await startTestApp({
      calendarProvider: 'caldav',
      caldavUrl: new URL(new URL(calendarUrl).pathname, proxy.url).href,
      caldavUsername: radicale.username,
      caldavPassword: radicale.password,
      caldavTimeoutMs: 10_000,
    });
    tenant = await newTenant(t.url, t.adminKey);
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
    await proxy?.close();
  });

  it('a stale write that lands after a newer one is noticed (version fence) and overwritten; the calendar ends at the latest time', async () => {
    const api = client(t.url, tenant.apiKey);
    const status = async (id: string) => (await api.get(`/api/appointments/${id}`)).body.calendar_sync_status;
    const booked = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(600), ...newClient() });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    await waitFor('first sync', async () => (await status(id)) === 'synced');

    // The write of version 2 is held back in flight ...
    proxy.holdNextPut();
    const v2 = slotAt(602);
    expect((await api.post(`/api/appointments/${id}/reschedule`, v2)).status).toBe(200);
    await waitFor('the version-2 write to be held', async () => proxy.held() === 1);
    // ... while version 3 is written and reported synced.
    const v3 = slotAt(604);
    expect((await api.post(`/api/appointments/${id}/reschedule`, v3)).status).toBe(200);
    await waitFor('version 3 on the server', async () => (await serverEvents(`${id}@agent-runtime`))[0]?.prop('DTSTART') === icalUtc(v3.start) && (await status(id)) === 'synced');

    // The stale version-2 PUT lands last: the server briefly shows the old time.
    proxy.release();
    await waitFor('every booking event handled', async () => {
      const r = await sql.query(`SELECT count(*)::int AS n FROM domain_events WHERE processed_at IS NULL AND (payload->'appointment'->>'id' = $1 OR payload->'new_apt'->>'id' = $1)`, [id]);
      return r.rows[0].n === 0;
    });
    const final = await serverEvents(`${id}@agent-runtime`);
    expect(final.map((e) => e.prop('DTSTART'))).toEqual([icalUtc(v3.start)]);
    expect(await status(id)).toBe('synced');
  });
});

describe('a CalDAV server that accepts connections but never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let port: number;

  beforeAll(async () => {
    port = await findFreePort();
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('a write is abandoned after CALDAV_TIMEOUT_MS with a short, URL-free error', async () => {
    const provider = new CaldavCalendarProvider({ calendarUrl: `http://127.0.0.1:${port}/agent/appointments/`, username: 'agent', password: 'secret-pass', timeoutMs: 300 });
    const started = Date.now();
    const err = await provider.upsert({ uid: 'x@agent-runtime', start: new Date(), end: new Date(Date.now() + 1_800_000), summary: 's', description: 'd', timezone: 'UTC' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(Error);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    expect(describeCalendarError(err, 300)).toBe('calendar server: no answer within 300 ms');
  });
});

describe('calendar sync with the default provider (none)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  requireRadicale();

  beforeAll(async () => {
    if (radicaleError) return;
    // A CalDAV URL is configured, but CALENDAR_PROVIDER=none wins: nothing may reach the server.
    t = await startTestApp({ calendarProvider: 'none', caldavUrl: calendarUrl, caldavUsername: radicale.username, caldavPassword: radicale.password });
    tenant = await newTenant(t.url, t.adminKey);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('book, reschedule and cancel write nothing and leave calendar_sync_status at none', async () => {
    const api = client(t.url, tenant.apiKey);
    const kept = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(20), ...newClient(), service: 'Check-up' });
    const booked = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(22), ...newClient(), service: 'Check-up' });
    expect([kept.status, booked.status]).toEqual([201, 201]);
    const ids = [kept.body.id as string, booked.body.id as string];
    expect((await api.post(`/api/appointments/${ids[1]}/reschedule`, slotAt(23))).status).toBe(200);
    expect((await api.post(`/api/appointments/${ids[1]}/cancel`)).status).toBe(200);

    const sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    try {
      await waitFor('the four booking events to be handled', async () => {
        const r = await sql.query(
          `SELECT count(*)::int AS n FROM domain_events
            WHERE processed_at IS NOT NULL AND (payload->'appointment'->>'id' = ANY($1) OR payload->'new_apt'->>'id' = ANY($1))`,
          [ids],
        );
        return r.rows[0].n === 4;
      });
      const handled = await sql.query(`SELECT count(*)::int AS n FROM domain_event_handlings WHERE handler = 'booking.calendar-sync'`);
      expect(handled.rows[0].n).toBe(0);
    } finally {
      await sql.end();
    }
    for (const id of ids) {
      expect((await api.get(`/api/appointments/${id}`)).body.calendar_sync_status).toBe('none');
      expect(await serverEvents(`${id}@agent-runtime`)).toHaveLength(0);
    }
    expect(await t.app.get(CalendarSyncService).sync(ids[0]!)).toEqual({ status: 'skipped', reason: 'provider_none' });
    expect((await api.get(`/api/appointments/${ids[0]}`)).body.calendar_sync_status).toBe('none');
  });
});
