import { describe, expect, it } from 'vitest';
import { newTenant } from '../support/builders.js';
import { startChildApp } from '../support/child-app.js';
import { TEST_ADMIN_KEY } from '../support/test-app.js';
import { TEST_TIMEOUT_MS, bookMany, confirmationFigures, count, LONG, mailCounter, sleep, waitForAllConfirmed, waitUntil, processFixture } from './resilience-support.js';

const BOOKINGS = LONG ? 2000 : 500;

const f = processFixture();
const procs = f.procs;

describe(`SIGKILL of a worker in the middle of a ${BOOKINGS}-confirmation run`, () => {
  it('every job ends completed exactly once after a restart: none lost, none stuck, one outbox row and one mail per booking', async () => {
    const common = { AUTONOMY_ENABLED: 'true', SMTP_URL: f.smtp.url, DB_POOL_SIZE: '10' };
    // Short leases: a dead worker's claims are reclaimed after ~2 s.
    const workerEnv = { ...common, APP_ROLE: 'worker', AGENT_JOB_LEASE_MS: '2000', AGENT_JOB_STALE_TIMEOUT_MS: '2000', AGENT_JOB_POLL_INTERVAL_MS: '200', AGENT_MAX_CONCURRENT_JOBS: '8', NOTIFICATION_BACKOFF_BASE_MS: '200', NOTIFICATION_POLL_INTERVAL_MS: '200', NOTIFICATION_LEASE_MS: '3000', EVENT_RELAY_INTERVAL_MS: '500' };
    const api = await startChildApp(f.db.url, { ...common, APP_ROLE: 'api' });
    procs.push(api);
    const tenant = await newTenant(api.url, TEST_ADMIN_KEY);

    // The API process records the bookings and enqueues their confirmations; nothing runs them yet.
    const booked = await bookMany(() => api.url, tenant, BOOKINGS, { concurrency: 12 });
    expect(booked.statuses).toEqual({ '201': BOOKINGS });
    await waitUntil('every confirmation enqueued', async () => (await count(f.sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND status = 'pending'`, [tenant.id])) === BOOKINGS, 10_000);

    const t0 = Date.now();
    const [victim, steady] = await Promise.all([startChildApp(f.db.url, workerEnv), startChildApp(f.db.url, workerEnv)]);
    procs.push(victim, steady);
    // Kill one worker once about a fifth of the run is done, while it holds claims.
    for (;;) {
      const done = await count(f.sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND status = 'completed'`, [tenant.id]);
      if (done >= BOOKINGS / 5) break;
      await sleep(20);
    }
    victim.proc.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const claimedAtKill = await count(f.sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND status = 'claimed'`, [tenant.id]);
    const restarted = await startChildApp(f.db.url, workerEnv);
    procs.push(restarted);

    await waitForAllConfirmed(f.sql, tenant.id, LONG ? 240_000 : 40_000, [steady, restarted]);
    const elapsed = Date.now() - t0;
    await sleep(1500); // anything late (a duplicate send) would show up now
    const figures = await confirmationFigures(f.sql, tenant.id, mailCounter(f.smtp.mails), booked.emails);
    console.log(`[resilience] worker SIGKILL, ${BOOKINGS} confirmations: ${JSON.stringify({ ...figures, claimedAtKill, mails: f.smtp.mails.length, elapsedMs: elapsed })}`);
    expect(figures).toMatchObject({ appointments: BOOKINGS, lost: 0, duplicateJobs: 0, stuck: 0, outboxDuplicates: 0, notSent: 0, sentTwice: 0, mailsMissing: 0, mailsDuplicated: 0 });
    expect(figures.smtpRedeliveries).toBeLessThanOrEqual(16 /* NOTIFICATION_CONCURRENCY: at most the rows in flight at the kill */);
    // SMTP has no idempotency key: a message the killed worker handed over but had not yet recorded
    // as sent is handed over again after its lease, with the same Message-ID (one message, two
    // SMTP transactions). Only rows that were in flight at the kill can be re-sent.
    expect(new Set(f.smtp.mails.map((m) => m.messageId)).size).toBe(BOOKINGS);
    expect(figures.smtpRedeliveries).toBeLessThanOrEqual(figures.outboxRetried);
    // Every run recorded once: the per-job result (the outbox row, unique per (job, channel)) exists once.
    expect(await count(f.sql, `SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1`, [tenant.id])).toBe(BOOKINGS);
    for (const p of [steady, restarted, api]) expect(p.output()).not.toMatch(/duplicate key|unique constraint|unhandled error/i);
  }, TEST_TIMEOUT_MS);
});
