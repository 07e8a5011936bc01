import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditModule } from '../src/modules/audit/audit.module.js';
import { newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { captureLogs, type LogCapture } from './support/log-capture.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

interface Person {
  client_name: string;
  client_email: string;
  client_phone: string;
  /** Distinctive parts of the name that must not appear on their own either. */
  nameParts: string[];
  /** The phone's national significant number, digits only. */
  national: string;
}

const PEOPLE: Person[] = [
  { client_name: 'Zoë Müller-Łukasiewicz', client_email: 'zoë.müller-łukasiewicz@beispiel.de', client_phone: '+49 30 9018 2277', nameParts: ['Müller', 'Łukasiewicz'], national: '3090182277' },
  { client_name: "Siobhán O'Connor-Ní Bhriain", client_email: 'siobhan.oconnor+clinic@mail.example.ie', client_phone: '+353 1 555 0142', nameParts: ['Siobhán', "O'Connor", 'Bhriain'], national: '15550142' },
  { client_name: '王秀英', client_email: 'xiuying.wang@example.cn', client_phone: '+86 10 6552 9988', nameParts: ['王秀英'], national: '1065529988' },
  { client_name: 'José Ángel García-Peñalver', client_email: 'Jose.Garcia.Penalver@Correo.Example.ES', client_phone: '+34 912 345 678', nameParts: ['García', 'Peñalver'], national: '912345678' },
  { client_name: 'Ørjan Kvalsvik-Åsheim', client_email: 'orjan.kvalsvik@example.no', client_phone: '+47 22 12 34 56', nameParts: ['Ørjan', 'Kvalsvik', 'Åsheim'], national: '22123456' },
  { client_name: 'Ada Quintrell-Vasquez', client_email: 'ada.quintrell@example.com', client_phone: '+1 (415) 555-0199', nameParts: ['Quintrell', 'Vasquez'], national: '4155550199' },
];

function body(tenant: TestTenant, n: number, p: Person, extra: Record<string, unknown> = {}) {
  return { tenant_id: tenant.id, ...slotAt(n), client_name: p.client_name, client_email: p.client_email, client_phone: p.client_phone, ...extra };
}

/** Every form a leaked value could take: as given, its local part / name parts, digits only, JSON-escaped. */
function needles(people: Person[]): string[] {
  const out = new Set<string>();
  const escaped = (s: string) => s.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const p of people) {
    const forms = [p.client_name, ...p.nameParts, p.client_email, p.client_email.split('@')[0]!, p.client_phone, p.client_phone.replace(/\D/g, ''), p.national];
    for (const f of forms) {
      const n = f.normalize('NFC').toLowerCase();
      out.add(n);
      out.add(escaped(n));
    }
  }
  return [...out];
}

function leaks(haystack: string, list: string[]): string[] {
  const h = haystack.normalize('NFC').toLowerCase();
  return list.filter((n) => h.includes(n));
}

let db: TestDatabase;
let t: TestApp;
let logs: LogCapture;
let scanned: { table: string; text: string }[] = [];
let logText = '';
let sourceText = '';

beforeAll(async () => {
  db = await createTestDatabase();
  logs = captureLogs();
  t = await startTestApp({ logLevel: 'debug' }, db, [AuditModule]);
  const admin = client(t.url, t.adminKey);
  const a = await newTenant(t.url, t.adminKey);
  const b = await newTenant(t.url, t.adminKey);
  const apiA = client(t.url, a.apiKey);
  const apiB = client(t.url, b.apiKey);
  const expectStatus = async (p: Promise<{ status: number; body: any }>, status: number) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };

  // holds, bookings from holds and direct, for both tenants
  for (const [i, p] of PEOPLE.entries()) {
    const tenant = i % 2 === 0 ? a : b;
    const api = i % 2 === 0 ? apiA : apiB;
    const hold = await expectStatus(api.post('/api/holds', { tenant_id: tenant.id, ...slotAt(10 + i) }), 201);
    await expectStatus(api.post('/api/appointments', body(tenant, 10 + i, p, { hold_id: hold.id, service: 'Consultation' })), 201);
    await expectStatus(api.post('/api/appointments', body(tenant, 40 + i, p)), 201);
  }
  // the admin books too, and lists with the client's details in the response
  const adminBooked = await expectStatus(admin.post('/api/appointments', body(a, 80, PEOPLE[1]!)), 201);
  await expectStatus(admin.get(`/api/appointments?tenant_id=${a.id}`), 200);
  await expectStatus(admin.get(`/api/appointments/${adminBooked.id}`), 200);

  // reschedules, check-ins, cancels (and a reschedule onto a taken slot)
  const listA = (await apiA.get('/api/appointments')).body.items as { id: string }[];
  await expectStatus(apiA.post(`/api/appointments/${listA[0]!.id}/reschedule`, slotAt(90)), 200);
  await expectStatus(apiA.post(`/api/appointments/${listA[1]!.id}/reschedule`, slotAt(40)), 409);
  await expectStatus(apiA.post(`/api/appointments/${listA[1]!.id}/check-in`), 200);
  await expectStatus(apiA.post(`/api/appointments/${listA[2]!.id}/cancel`), 200);
  await expectStatus(apiA.post(`/api/appointments/${listA[2]!.id}/cancel`), 409);
  const listB = (await apiB.get('/api/appointments')).body.items as { id: string }[];
  await expectStatus(apiB.post(`/api/appointments/${listB[0]!.id}/cancel`), 200);
  await expectStatus(apiB.post(`/api/appointments/${listB[1]!.id}/reschedule`, slotAt(91)), 200);

  // bad requests carrying the clients' details in every place a request can
  const [zoe, siobhan, wang, jose, orjan, ada] = PEOPLE as [Person, Person, Person, Person, Person, Person];
  await expectStatus(apiA.post('/api/appointments', body(a, 40, zoe)), 409); // slot taken
  await expectStatus(apiA.post('/api/appointments', body(a, 50, siobhan, { client_email: siobhan.client_name })), 400);
  await expectStatus(apiA.post('/api/appointments', body(a, 51, wang, { client_phone: `${wang.client_name} ${wang.client_phone} x` })), 400);
  await expectStatus(apiA.post('/api/appointments', body(a, 52, jose, { notes: `call ${jose.client_phone} or ${jose.client_email}` })), 400);
  await expectStatus(apiA.post('/api/appointments', body(a, 53, orjan, { start: 'tomorrow' })), 400);
  await expectStatus(apiB.post('/api/appointments', body(a, 54, ada)), 404); // another tenant's id
  await expectStatus(apiA.raw('POST', '/api/appointments', `{"client_name": "${zoe.client_name}", "client_email": "${zoe.client_email}"`), 400); // malformed JSON
  await expectStatus(admin.get(`/api/appointments?tenant_id=${a.id}&client_email=${encodeURIComponent(ada.client_email)}`), 400);
  await expectStatus(admin.get(`/api/appointments/${encodeURIComponent(jose.client_email)}`), 400);
  await expectStatus(admin.post(`/api/appointments/${encodeURIComponent(orjan.client_phone)}/cancel`), 400);
  await expectStatus(apiA.get(`/api/availability?date=${encodeURIComponent(zoe.client_name)}`), 400);

  // the audit trail itself, read and verified
  await expectStatus(admin.get('/api/audit?limit=500'), 200);
  expect((await expectStatus(admin.get('/api/audit/verify'), 200)).ok).toBe(true);

  // close: pending request audit rows are flushed, handlers finish
  await t.close();
  logs.restore();

  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const table of ['audit_log', 'domain_events', 'jobs']) {
      const r = await c.query(`SELECT coalesce(string_agg(row_to_json(x)::text, E'\\n'), '') AS text FROM ${table} x`);
      scanned.push({ table, text: r.rows[0].text });
    }
    const jobsPayload = await c.query(`SELECT coalesce(string_agg(payload::text, E'\\n'), '') AS text FROM jobs`);
    scanned.push({ table: 'jobs.payload', text: jobsPayload.rows[0].text });
    sourceText = (await c.query(`SELECT string_agg(row_to_json(x)::text, E'\\n') AS text FROM appointments x`)).rows[0].text;
  } finally {
    await c.end();
  }
  logText = logs.lines.join('\n');
});

afterAll(async () => {
  logs?.restore();
  await db?.drop();
});

describe('PII leak scan after a realistic scenario', () => {
  it('the scan would see a leak: every needle of every client is found in the appointments table', () => {
    for (const p of PEOPLE) {
      expect(leaks(sourceText, [p.client_name.toLowerCase(), p.client_email.toLowerCase(), p.client_phone.toLowerCase()]), p.client_name).toHaveLength(3);
    }
  });

  it('the scenario left an audit trail, events and logs to scan', () => {
    const audit = scanned.find((s) => s.table === 'audit_log')!.text;
    expect(audit.split('\n').length).toBeGreaterThan(40);
    expect(audit).toContain('"event_type":"api.request"');
    expect(audit).toContain('[NAME:');
    expect(scanned.find((s) => s.table === 'domain_events')!.text).toContain('BookingRescheduled');
    expect(logs.lines.length).toBeGreaterThan(10);
  });

  for (const table of ['audit_log', 'domain_events', 'jobs', 'jobs.payload']) {
    it(`no client name, email or phone appears in ${table}`, () => {
      const found = leaks(scanned.find((s) => s.table === table)!.text, needles(PEOPLE));
      expect(found).toEqual([]);
    });
  }

  it('no client name, email or phone appears in the captured logs (debug level)', () => {
    expect(leaks(logText, needles(PEOPLE))).toEqual([]);
  });
});
