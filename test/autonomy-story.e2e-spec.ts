import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient, newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let smtp: SmtpSink;
let sql: pg.Client;
let tenant: TestTenant;

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 5000, smtpUrl: smtp.url, reminderLeadMinutes: 1440, logLevel: 'warn' });
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
  tenant = await newTenant(t.url, t.adminKey, { name: 'Praxis Sonnenschein', timezone: 'Europe/Berlin' });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
  await smtp?.close();
});

/** 10:00 Berlin on a day ~5 days ahead (a summer or winter offset, whichever applies). */
function berlinSlot(hour: number, daysAhead = 5): { start: string; end: string; local: string } {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  const date = d.toISOString().slice(0, 10);
  const probe = new Date(`${date}T12:00:00Z`);
  const berlinNoon = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(probe));
  const offset = berlinNoon - 12;
  const start = new Date(`${date}T${String(hour - offset).padStart(2, '0')}:00:00Z`);
  return { start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString(), local: `${String(hour).padStart(2, '0')}:00` };
}

async function pendingJobs(appointmentId: string) {
  return (await sql.query(`SELECT type, run_at, status, appointment_version FROM jobs WHERE appointment_id = $1 AND status = 'pending' ORDER BY type`, [appointmentId])).rows;
}

describe('the full story over HTTP', () => {
  it('book → confirmation by SMTP within 1 s → reminder at start − lead → reschedule moves it → cancel cancels it → audited, redacted', async () => {
    const api = client(t.url, tenant.apiKey);
    const who = { ...newClient(), client_name: 'Zoë Müller-Łukasiewicz' };
    const slot = berlinSlot(10);
    const t0 = Date.now();
    const booked = await api.post('/api/appointments', { tenant_id: tenant.id, start: slot.start, end: slot.end, ...who });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;

    const confirmation = await smtp.waitFor((m) => m.to.includes(who.client_email), 1000);
    expect(confirmation.at - t0).toBeLessThan(1000);
    expect(confirmation.subject).toMatch(/confirm/i);
    expect(confirmation.body).toContain(slot.local);
    expect(confirmation.body).toContain('Praxis Sonnenschein');

    const reminderAt = new Date(Date.parse(slot.start) - 1440 * 60_000).toISOString();
    let pending = await pendingJobs(id);
    expect(pending.find((j) => j.type === 'send_reminder')?.run_at.toISOString()).toBe(reminderAt);

    const moved = berlinSlot(14);
    const r = await api.post(`/api/appointments/${id}/reschedule`, { start: moved.start, end: moved.end });
    expect(r.status).toBe(200);
    const reconfirmed = await smtp.waitFor((m) => m.to.includes(who.client_email) && m.body.includes(moved.local), 2000).catch(async (e) => {
      const jobs = await sql.query(`SELECT type, status, outcome, outcome_reason, last_error, payload FROM jobs WHERE appointment_id = $1 ORDER BY created_at`, [id]);
      const ev = await sql.query(`SELECT type, processed_at, last_error FROM domain_events WHERE tenant_id = $1`, [tenant.id]);
      throw new Error(`${String(e)}\n${JSON.stringify(jobs.rows, null, 1)}\n${JSON.stringify(ev.rows)}\n${JSON.stringify(smtp.mails.map((m) => [m.subject, m.body]))}`);
    });
    expect(reconfirmed.subject).toMatch(/resched|moved|new time/i);
    await new Promise((res) => setTimeout(res, 100));
    pending = await pendingJobs(id);
    expect(pending.filter((j) => j.run_at.toISOString() === reminderAt)).toHaveLength(0);
    expect(pending.find((j) => j.type === 'send_reminder')?.run_at.toISOString()).toBe(new Date(Date.parse(moved.start) - 1440 * 60_000).toISOString());
    expect(pending.every((j) => j.appointment_version === 2)).toBe(true);

    const c = await api.post(`/api/appointments/${id}/cancel`);
    expect(c.status).toBe(200);
    await smtp.waitFor((m) => m.to.includes(who.client_email) && /cancel/i.test(m.subject), 2000);
    await new Promise((res) => setTimeout(res, 100));
    expect(await pendingJobs(id)).toHaveLength(0);

    // the audit trail tells the story, and holds no client details
    await new Promise((res) => setTimeout(res, 300));
    const trail = await sql.query(`SELECT event_type, payload::text AS p FROM audit_log WHERE tenant_id = $1 ORDER BY seq`, [tenant.id]);
    const kinds = trail.rows.map((x) => x.event_type as string);
    for (const kind of ['event.BookingCreated', 'policy.decision', 'job.enqueued', 'tool.completed', 'event.BookingRescheduled', 'event.BookingCancelled']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(kinds.some((k) => k.startsWith('notification.'))).toBe(true);
    const everything = trail.rows.map((x) => x.p).join('\n').toLowerCase();
    expect(everything).not.toContain(who.client_email.toLowerCase());
    expect(everything).not.toContain('zoë');
    expect(everything).not.toContain('müller');
    const outbox = await sql.query(`SELECT template, status FROM notification_outbox WHERE appointment_id = $1 ORDER BY created_at`, [id]);
    expect(outbox.rows.map((x) => x.template)).toEqual(['confirmation', 'reschedule', 'cancellation']);
    expect(outbox.rows.every((x) => x.status === 'sent')).toBe(true);
  });
});
