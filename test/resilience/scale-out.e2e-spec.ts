import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient, newTenant, slotAt } from '../support/builders.js';
import { startChildApp, type ChildApp } from '../support/child-app.js';
import { client } from '../support/http-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_KEY } from '../support/test-app.js';
import { TEST_TIMEOUT_MS, bookMany, confirmationFigures, count, LONG, mailCounter, sleep, waitForAllConfirmed, waitUntil } from './resilience-support.js';

const BOOKINGS = LONG ? 400 : 60;
const HOLDS = LONG ? 200 : 40;

let db: TestDatabase;
let sql: pg.Client;
let smtp: SmtpSink;
let api: ChildApp;
let workers: ChildApp[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  smtp = await startSmtpSink();
  const common = { AUTONOMY_ENABLED: 'true', SMTP_URL: smtp.url, DB_POOL_SIZE: '8', HOLD_TTL_SECONDS: '1' };
  const workerEnv = { ...common, APP_ROLE: 'worker', HOLD_SWEEP_INTERVAL_MS: '50', EVENT_RELAY_INTERVAL_MS: '100', EVENT_RELAY_GRACE_MS: '0', AGENT_JOB_POLL_INTERVAL_MS: '200', NOTIFICATION_POLL_INTERVAL_MS: '200' };
  [api, ...workers] = await Promise.all([startChildApp(db.url, { ...common, APP_ROLE: 'api' }), startChildApp(db.url, workerEnv), startChildApp(db.url, workerEnv)]);
});
afterAll(async () => {
  await Promise.all([api, ...workers].filter(Boolean).map((p) => p.stop('SIGTERM')));
  await sql?.end();
  await db?.drop();
  await smtp?.close();
});

const pidOf = (actorOrWorker: string) => Number(/:(\d+):[0-9a-f]{6}$/.exec(actorOrWorker)?.[1]);

describe('one api and two worker processes on one database', () => {
  it('a booking through the api process is confirmed by a worker; the api process runs no job, no send, no sweep, no relay', async () => {
    const tenant = await newTenant(api.url, TEST_ADMIN_KEY);
    const who = newClient();
    const t0 = Date.now();
    const one = await client(api.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(1), ...who });
    expect(one.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(who.client_email), 10_000);
    console.log(`[resilience] scale-out: booking via api → confirmation mail from a worker in ${mail.at - t0} ms`);

    const rest = await bookMany(() => api.url, tenant, BOOKINGS - 1, { concurrency: 8, offset: 2 });
    expect(rest.statuses).toEqual({ '201': BOOKINGS - 1 });
    await waitForAllConfirmed(sql, tenant.id, 30_000, [api, ...workers]);
    await sleep(500);
    const figures = await confirmationFigures(sql, tenant.id, mailCounter(smtp.mails), new Map([...rest.emails, [one.body.id, who.client_email]]));
    expect(figures).toMatchObject({ appointments: BOOKINGS, lost: 0, duplicateJobs: 0, stuck: 0, outboxDuplicates: 0, notSent: 0, sentTwice: 0, mailsMissing: 0, mailsDuplicated: 0, smtpRedeliveries: 0 });

    const workerPids = workers.map((w) => w.proc.pid);
    const runners = (await sql.query(`SELECT DISTINCT worker_id FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation'`, [tenant.id])).rows.map((r) => pidOf(r.worker_id));
    const senders = (await sql.query(`SELECT DISTINCT actor FROM audit_log WHERE tenant_id = $1 AND event_type = 'notification.sent'`, [tenant.id])).rows.map((r) => pidOf(r.actor));
    console.log(`[resilience] scale-out: ${BOOKINGS} confirmations, jobs run by pids ${JSON.stringify(runners)}, sent by pids ${JSON.stringify(senders)}; api pid ${api.proc.pid}, worker pids ${JSON.stringify(workerPids)}`);
    expect(runners.length).toBeGreaterThan(0);
    expect(senders.length).toBeGreaterThan(0);
    for (const pid of [...runners, ...senders]) expect(workerPids).toContain(pid);

    // What each process says it runs.
    const status = await client(api.url, TEST_ADMIN_KEY).get('/api/autonomy');
    expect(status.status).toBe(200);
    const instances = status.body.instances as { pid: number; role: string; runner: { running: boolean } }[];
    expect(instances.find((i) => i.pid === api.proc.pid)).toMatchObject({ role: 'api', runner: { running: false } });
    for (const w of workers) expect(instances.find((i) => i.pid === w.proc.pid)).toMatchObject({ role: 'worker', runner: { running: true } });
  }, TEST_TIMEOUT_MS);

  it(`the hold sweeper stays single: ${HOLDS} expired holds, each HoldExpired recorded exactly once with two workers sweeping every 50 ms`, async () => {
    const tenant = await newTenant(api.url, TEST_ADMIN_KEY);
    const ids: string[] = [];
    for (let i = 0; i < HOLDS; i++) {
      const r = await client(api.url, tenant.apiKey).post('/api/holds', { tenant_id: tenant.id, ...slotAt(1000 + i) });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await waitUntil('every hold expired', async () => (await count(sql, `SELECT count(*)::int AS n FROM availability_holds WHERE tenant_id = $1 AND status = 'expired'`, [tenant.id])) === HOLDS, 15_000);
    await sleep(1000); // two more sweeps by each worker: none may record it again
    const perHold = (await sql.query(`SELECT payload->>'hold_id' AS hold_id, count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = 'HoldExpired' GROUP BY 1`, [tenant.id])).rows;
    console.log(`[resilience] scale-out: ${HOLDS} holds, HoldExpired events ${perHold.reduce((a, r) => a + r.n, 0)}, holds with more than one: ${perHold.filter((r) => r.n > 1).length}`);
    expect(perHold).toHaveLength(HOLDS);
    expect(perHold.every((r) => r.n === 1)).toBe(true);
    expect(new Set(perHold.map((r) => r.hold_id))).toEqual(new Set(ids));
  }, TEST_TIMEOUT_MS);
});
