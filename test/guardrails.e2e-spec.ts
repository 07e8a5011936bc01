import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEventPublisher } from '../src/common/events/domain-event-publisher.js';
import type { DomainEvent } from '../src/common/events/domain-events.js';
import { ToolExecutor } from '../src/modules/autonomy/tools/tool-executor.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import type { Job, JobContext } from '../src/modules/jobs/job.types.js';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

/**
 * The SPEC's four invariants, one by one, including the races: every proactive action is triggered
 * by an event, gated by policy (re-checked at execution), executed only through a registered tool,
 * and audited.
 */
let t: TestApp;
let smtp: SmtpSink;
let sql: pg.Client;

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 200, smtpUrl: smtp.url, reminderLeadMinutes: 60 });
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
  await smtp?.close();
});

const q = async <T = any>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows as T[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 5_000) =>
  pollUntil(what, probe, timeoutMs, 50);

async function book(tenant: TestTenant, n: number) {
  const who = newClient();
  const r = await client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(n), ...who });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, who };
}

const jobOf = async (appointmentId: string, type: string) => (await q<Job>(`SELECT * FROM jobs WHERE appointment_id = $1 AND type = $2 ORDER BY created_at DESC LIMIT 1`, [appointmentId, type]))[0];
const outboxOf = (appointmentId: string) => q(`SELECT template, status FROM notification_outbox WHERE appointment_id = $1`, [appointmentId]);
const auditOf = (tenantId: string, eventType: string) => q<{ payload: any }>(`SELECT payload FROM audit_log WHERE tenant_id = $1 AND event_type = $2`, [tenantId, eventType]);

/** Takes a pending job as a (fake) worker would, so a test can act while it is claimed. */
async function claimByHand(jobId: string): Promise<Job> {
  const rows = await q<Job>(
    `UPDATE jobs SET status = 'claimed', worker_id = 'test-worker', claimed_at = now(), lock_expires_at = now() + interval '1 minute', attempts = attempts + 1
      WHERE id = $1 AND status = 'pending' RETURNING *`,
    [jobId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const ctx: JobContext = { workerId: 'test-worker', attempt: 1, shadow: false, context: { correlationId: 'test-job', actor: 'worker:test-worker' }, signal: new AbortController().signal, heartbeat: async () => true };
const executor = () => t.app.get(ToolExecutor);

describe('1. no action without policy, and the kill switch wins', () => {
  it('runtime toggle off for a tenant: no job, no notification; the reason is audited', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    expect((await client(t.url, t.adminKey).put('/api/autonomy', { mode: 'off', tenant_id: tenant.id })).status).toBe(200);
    const { id } = await book(tenant, 1);
    await sleep(500);
    expect(await outboxOf(id)).toEqual([]);
    expect(await q(`SELECT 1 FROM jobs WHERE appointment_id = $1`, [id])).toEqual([]);
    const why = await auditOf(tenant.id, 'autonomy.action_not_scheduled');
    expect(why.some((r) => String(r.payload.reason).startsWith('kill_switch'))).toBe(true);
  });

  it('policy set to deny: no notification; the decision is audited', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    await client(t.url, tenant.apiKey).post('/api/policy-rules', { action: 'send_confirmation', effect: 'deny', priority: 10 });
    const { id } = await book(tenant, 2);
    await sleep(500);
    expect(await outboxOf(id)).toEqual([]);
    const decisions = await auditOf(tenant.id, 'policy.decision');
    expect(decisions.some((r) => r.payload.action === 'send_confirmation' && r.payload.effect === 'deny')).toBe(true);
  });

  it('the master switch off: no job, no notification, whatever the runtime toggle says', async () => {
    const off = await startTestApp({ autonomyEnabled: false, smtpUrl: smtp.url, agentJobPollIntervalMs: 200 });
    try {
      const tenant = await newTenant(off.url, off.adminKey);
      const r = await client(off.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(3), ...newClient() });
      expect(r.status).toBe(201);
      await sleep(500);
      const c = new pg.Client({ connectionString: off.db.url });
      await c.connect();
      const outbox = await c.query(`SELECT 1 FROM notification_outbox`);
      const jobs = await c.query(`SELECT 1 FROM jobs`);
      const why = await c.query(`SELECT payload FROM audit_log WHERE event_type = 'autonomy.action_not_scheduled'`);
      await c.end();
      expect(outbox.rowCount).toBe(0);
      expect(jobs.rowCount).toBe(0);
      expect(why.rows.some((x) => String(x.payload.reason).includes('AUTONOMY_ENABLED'))).toBe(true);
      const turnOn = await client(off.url, off.adminKey).put('/api/autonomy', { mode: 'on' });
      expect(turnOn.status).toBe(409);
      expect(turnOn.body.message).toMatch(/master switch/i);
    } finally {
      await off.close();
    }
  });

  it('shadow mode records what would have run, and runs nothing: no outbox row, no SMTP message', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    await client(t.url, t.adminKey).put('/api/autonomy', { mode: 'shadow', tenant_id: tenant.id });
    const { id, who } = await book(tenant, 4);
    const job = await until('the shadow confirmation', async () => {
      const j = await jobOf(id, 'send_confirmation');
      return j && j.status === 'completed' ? j : null;
    });
    expect(job.shadow).toBe(true);
    expect(job.outcome).toBe('skipped');
    expect(job.outcome_reason).toMatch(/^shadow: would have run send_confirmation/);
    await sleep(300);
    expect(await outboxOf(id)).toEqual([]);
    expect(smtp.mails.some((m) => m.to.includes(who.client_email))).toBe(false);
    expect((await auditOf(tenant.id, 'tool.shadow')).length).toBeGreaterThan(0);
  });
});

describe('2. re-checked at execution time: the races', () => {
  it('cancel while the reminder is claimed: it sends nothing (stale appointment)', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const { id } = await book(tenant, 200);
    const reminder = await until('the reminder job', () => jobOf(id, 'send_reminder'));
    const claimed = await claimByHand(reminder.id);
    expect((await client(t.url, tenant.apiKey).post(`/api/appointments/${id}/cancel`)).status).toBe(200);
    const result = await executor().execute(claimed, () => undefined, ctx);
    expect(result.outcome).toBe('cancelled');
    expect(result.reason).toMatch(/^stale_appointment/);
    expect((await outboxOf(id)).filter((r) => r.template === 'reminder')).toEqual([]);
  });

  it('kill switch flipped while a job is claimed: it ends cancelled with autonomy_off, nothing sent', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const { id } = await book(tenant, 202);
    const reminder = await until('the reminder job', () => jobOf(id, 'send_reminder'));
    const claimed = await claimByHand(reminder.id);
    await client(t.url, t.adminKey).put('/api/autonomy', { mode: 'off', tenant_id: tenant.id });
    const result = (await executor().execute(claimed, () => undefined, ctx))!;
    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'autonomy_off' });
    expect((await outboxOf(id)).filter((r) => r.template === 'reminder')).toEqual([]);
    // the tool's audit row is recorded with the job's result, as the runner records it
    await t.app.get(JobQueue).complete('test-worker', [{ id: claimed.id, attempt: claimed.attempts, outcome: result.outcome, reason: result.reason, audit: result.audit }]);
    expect((await auditOf(tenant.id, 'tool.cancelled')).some((r) => r.payload.reason === 'autonomy_off')).toBe(true);
  });

  it('policy flipped between scheduling and execution: the due reminder is cancelled (policy_denied)', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const { id } = await book(tenant, 204);
    const reminder = await until('the reminder job', () => jobOf(id, 'send_reminder'));
    expect(reminder.status).toBe('pending');
    await client(t.url, tenant.apiKey).post('/api/policy-rules', { action: 'send_reminder', effect: 'deny', priority: 10 });
    await sql.query(`UPDATE jobs SET run_at = now() WHERE id = $1`, [reminder.id]);
    const done = await until('the reminder to end', async () => {
      const j = (await q<Job>(`SELECT * FROM jobs WHERE id = $1`, [reminder.id]))[0]!;
      return j.status !== 'pending' && j.status !== 'claimed' ? j : null;
    });
    expect(done.status).toBe('cancelled');
    expect(done.outcome_reason).toMatch(/^policy_denied/);
    expect((await outboxOf(id)).filter((r) => r.template === 'reminder')).toEqual([]);
  });
});

describe('3. nothing doubled', () => {
  it('the same event delivered five times: one set of jobs, one confirmation', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const { id, who } = await book(tenant, 206);
    await smtp.waitFor((m) => m.to.includes(who.client_email), 3000);
    const before = await q(`SELECT id FROM jobs WHERE appointment_id = $1`, [id]);
    const row = (await q(`SELECT id, type, tenant_id, payload, correlation_id, created_at FROM domain_events WHERE type = 'BookingCreated' AND payload->'appointment'->>'id' = $1`, [id]))[0];
    const event: DomainEvent = { id: row.id, type: row.type, tenant_id: row.tenant_id, payload: row.payload, correlation_id: row.correlation_id, occurred_at: row.created_at.toISOString() };
    const publisher = t.app.get(DomainEventPublisher);
    for (let i = 0; i < 5; i++) expect(await publisher.deliver(event)).toBe(true);
    await sleep(500);
    expect(await q(`SELECT id FROM jobs WHERE appointment_id = $1`, [id])).toHaveLength(before.length);
    expect(await outboxOf(id)).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to.includes(who.client_email))).toHaveLength(1);
  });

  it('a crash between sending and completing: the reclaimed job runs again and sends nothing twice', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const { id, who } = await book(tenant, 208);
    await smtp.waitFor((m) => m.to.includes(who.client_email), 3000);
    const job = await until('the confirmation to complete', async () => {
      const j = await jobOf(id, 'send_confirmation');
      return j?.status === 'completed' ? j : null;
    });
    // as if the worker died after the effect committed but before the completion was recorded
    const [again] = await q<Job>(
      `UPDATE jobs SET status = 'claimed', completed_at = NULL, outcome = NULL, worker_id = 'test-worker', claimed_at = now(), lock_expires_at = now() + interval '1 minute', attempts = attempts + 1 WHERE id = $1 RETURNING *`,
      [job.id],
    );
    const result = await executor().execute(again!, () => undefined, ctx);
    expect(result.outcome).toBe('completed');
    await sleep(500);
    expect(await outboxOf(id)).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to.includes(who.client_email))).toHaveLength(1);
  });
});

describe('4. only registered tools', () => {
  it('a job of an unregistered type fails for good and is audited; nothing runs', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const queue = t.app.get(JobQueue);
    const r = await queue.enqueue('delete_all_data', tenant.id, { target: 'everything' });
    const job = await until('the job to fail', async () => {
      const j = (await q<Job>(`SELECT * FROM jobs WHERE id = $1`, [r.job!.id]))[0]!;
      return j.status === 'failed' ? j : null;
    });
    expect(job.attempts).toBe(1);
    expect(job.last_error).toMatch(/unregistered/);
    expect((await q(`SELECT 1 FROM audit_log WHERE entity_id = $1 AND event_type LIKE 'job.%fail%'`, [job.id])).length).toBeGreaterThan(0);
  });

  it('the executor itself refuses a type outside the whitelist, even if someone registers a raw handler', async () => {
    const fake = { id: '00000000-0000-4000-8000-00000000000a', tenant_id: null, type: 'run_shell', payload: { cmd: 'rm -rf /' }, appointment_id: null, appointment_version: null, shadow: false } as unknown as Job;
    await expect(executor().execute(fake, () => undefined, ctx)).rejects.toThrow(/unregistered tool/);
  });
});

describe('5. one correlation id from the request to the e-mail', () => {
  it("the booking's x-correlation-id is on its event, its jobs, its notification and every audit row they wrote", async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const corr = `corr-guard-${Date.now()}`;
    const who = newClient();
    const r = await client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(240), ...who }, { 'x-correlation-id': corr });
    expect(r.status).toBe(201);
    await smtp.waitFor((m) => m.to.includes(who.client_email), 3000);
    const confirmation = await until('the confirmation job to complete', async () => {
      const j = await jobOf(r.body.id, 'send_confirmation');
      return j?.status === 'completed' ? j : null;
    });
    expect(confirmation.correlation_id).toBe(corr);
    const event = await q(`SELECT correlation_id FROM domain_events WHERE type = 'BookingCreated' AND payload->'appointment'->>'id' = $1`, [r.body.id]);
    expect(event).toEqual([{ correlation_id: corr }]);
    expect(await q(`SELECT DISTINCT correlation_id FROM jobs WHERE appointment_id = $1`, [r.body.id])).toEqual([{ correlation_id: corr }]);
    expect(await q(`SELECT correlation_id FROM notification_outbox WHERE appointment_id = $1`, [r.body.id])).toEqual([{ correlation_id: corr }]);
    // who did what, under the one id: the caller booked; the agent decided, enqueued and ran the tool
    const rows = await until('the sent notification to be audited', async () => {
      const all = await q<{ event_type: string; actor: string }>(`SELECT event_type, actor FROM audit_log WHERE correlation_id = $1 ORDER BY seq`, [corr]);
      return all.some((x) => x.event_type === 'notification.sent') ? all : null;
    });
    const actorOf = (type: string) => rows.find((x) => x.event_type === type)?.actor;
    expect(actorOf('event.BookingCreated')).toMatch(/^key:/);
    expect(actorOf('policy.decision')).toBe('agent');
    expect(actorOf('job.enqueued')).toBe('agent');
    expect(actorOf('job.completed')).toMatch(/^worker:/);
    expect(actorOf('tool.completed')).toBe('agent');
    expect(actorOf('notification.enqueued')).toMatch(/^worker:/);
  });
});
