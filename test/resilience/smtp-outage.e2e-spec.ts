import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/builders.js';
import { startChildApp, type ChildApp } from '../support/child-app.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_KEY } from '../support/test-app.js';
import { TEST_TIMEOUT_MS, bookMany, confirmationFigures, count, LONG, mailCounter, sleep, waitForAllConfirmed, waitUntil } from './resilience-support.js';

const OUTAGE_MS = LONG ? 30_000 : 4_000;
const BEFORE = LONG ? 200 : 60;
const DURING = LONG ? 400 : 120;

let db: TestDatabase;
let sql: pg.Client;
let smtp: SmtpSink | null = null;
const procs: ChildApp[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await sql?.end();
  await db?.drop();
  await smtp?.close();
});

describe(`SMTP server down for ${OUTAGE_MS / 1000} s during a run`, () => {
  it('notifications wait and retry, nothing fails, and all are delivered exactly once after', async () => {
    smtp = await startSmtpSink();
    const port = smtp.port;
    const mails: ReceivedMail[] = [];
    const common = { AUTONOMY_ENABLED: 'true', SMTP_URL: smtp.url, DB_POOL_SIZE: '10' };
    const api = await startChildApp(db.url, { ...common, APP_ROLE: 'api' });
    const worker = await startChildApp(db.url, {
      ...common,
      APP_ROLE: 'worker',
      AGENT_JOB_POLL_INTERVAL_MS: '200',
      NOTIFICATION_POLL_INTERVAL_MS: '200',
      NOTIFICATION_BACKOFF_BASE_MS: LONG ? '1000' : '300',
      NOTIFICATION_MAX_ATTEMPTS: '10',
    });
    procs.push(api, worker);
    const tenant = await newTenant(api.url, TEST_ADMIN_KEY);

    const before = await bookMany(() => api.url, tenant, BEFORE, { concurrency: 8 });
    await waitForAllConfirmed(sql, tenant.id, 20_000, [worker]);

    // Down: the port refuses connections.
    const downAt = Date.now();
    await smtp.close();
    mails.push(...smtp.mails);
    smtp = null;
    const during = await bookMany(() => api.url, tenant, DURING, { concurrency: 8, offset: BEFORE });
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    const waiting = (await sql.query(`SELECT status, count(*)::int AS n, max(attempts)::int AS max_attempts, count(last_error)::int AS with_error FROM notification_outbox WHERE tenant_id = $1 GROUP BY 1 ORDER BY 1`, [tenant.id])).rows;
    const pendingDuringOutage = waiting.find((r) => r.status === 'pending');
    // nothing delivered while down, nothing given up; the rows wait (the last bookings' jobs may not have run yet)
    expect(waiting.find((r) => r.status === 'sent')?.n).toBe(BEFORE);
    expect(pendingDuringOutage?.n).toBeGreaterThan(0);
    expect(pendingDuringOutage?.max_attempts).toBeGreaterThan(1); // it tried, and will again
    expect(waiting.find((r) => r.status === 'failed')).toBeUndefined();

    // Up again on the same port.
    smtp = await startSmtpSink({ port });
    const upAt = Date.now();
    await waitForAllConfirmed(sql, tenant.id, LONG ? 120_000 : 30_000, [worker]);
    const drainMs = Date.now() - upAt;
    await sleep(1000);
    mails.push(...smtp.mails);
    const emails = new Map([...before.emails, ...during.emails]);
    const figures = await confirmationFigures(sql, tenant.id, mailCounter(mails), emails);
    const failed = await count(sql, `SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND status = 'failed'`, [tenant.id]);
    console.log(`[resilience] SMTP down ${OUTAGE_MS} ms: ${JSON.stringify({ ...figures, waitingAtEndOfOutage: waiting, failed, mails: mails.length, drainAfterRecoveryMs: drainMs })}`);
    expect(before.statuses).toEqual({ '201': BEFORE });
    expect(during.statuses).toEqual({ '201': DURING });
    expect(figures).toMatchObject({ appointments: BEFORE + DURING, lost: 0, duplicateJobs: 0, stuck: 0, outboxDuplicates: 0, notSent: 0, sentTwice: 0, mailsMissing: 0, mailsDuplicated: 0, smtpRedeliveries: 0 });
    expect(failed).toBe(0);
    expect(mails.length).toBe(BEFORE + DURING);
    // A refused connection is not the job's failure: the jobs completed once, the outbox retried.
    expect(await count(sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND attempts > 1`, [tenant.id])).toBe(0);
  }, TEST_TIMEOUT_MS);
});
