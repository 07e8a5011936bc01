import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { newClient, slotAt, type TestTenant } from '../support/builders.js';
import type { ChildApp } from '../support/child-app.js';
import { rawRequest } from '../support/raw-http.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `RESILIENCE_LONG=1` (npm run test:resilience) runs the long variants; CI runs the fast ones. */
export const LONG = process.env.RESILIENCE_LONG === '1';
/** Per test: the fast variants keep the suite's 60 s; the long ones take minutes. */
export const TEST_TIMEOUT_MS = LONG ? 900_000 : 60_000;

export interface ProcessFixture {
  db: TestDatabase;
  sql: pg.Client;
  smtp: SmtpSink;
  /** The child processes the test starts; SIGKILLed after the file. */
  procs: ChildApp[];
}

/**
 * A file's fixture for tests with real processes: a cloned database, a SQL client on it and an SMTP
 * sink (ready in `beforeAll`), and the children the test starts, all torn down after the file.
 */
export function processFixture(): ProcessFixture {
  const f = { procs: [] as ChildApp[] } as ProcessFixture;
  beforeAll(async () => {
    f.db = await createTestDatabase();
    f.sql = new pg.Client({ connectionString: f.db.url });
    await f.sql.connect();
    f.smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await Promise.all(f.procs.map((p) => p.stop('SIGKILL')));
    await f.sql?.end();
    await f.db?.drop();
    await f.smtp?.close();
  });
  return f;
}


export interface BookingOutcome {
  /** appointment ids answered 201 */
  created: string[];
  /** client emails of the 201 bookings, by appointment id */
  emails: Map<string, string>;
  statuses: Record<string, number>;
}

/**
 * Books `n` distinct 30-minute slots (slot `offset + i`) with `concurrency` requests in flight.
 * `target()` is asked for the base URL on every request, so a restarted process can take over;
 * a request that fails at the connection level is counted under status "net".
 */
export async function bookMany(target: () => string, tenant: TestTenant, n: number, opts: { concurrency?: number; offset?: number; onEach?: (i: number) => void; retryNetForMs?: number } = {}): Promise<BookingOutcome> {
  const out: BookingOutcome = { created: [], emails: new Map(), statuses: {} };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const who = newClient();
      let key = 'net';
      const giveUpAt = Date.now() + (opts.retryNetForMs ?? 0);
      let retried = false;
      for (;;) {
        try {
          const r = await rawRequest(`${target()}/api/appointments`, 'POST', tenant.apiKey, { tenant_id: tenant.id, ...slotAt((opts.offset ?? 0) + i), ...who });
          // a 409 on a retry: the first try committed, its answer died with the process
          key = retried && r.status === 409 ? '409_after_retry' : String(r.status);
          if (r.status === 201) {
            out.created.push(r.body.id);
            out.emails.set(r.body.id, who.client_email);
          }
        } catch {
          /* the connection died (the process was killed) or nothing listens (yet) */
          if (Date.now() < giveUpAt) {
            retried = true;
            await sleep(100);
            continue;
          }
        }
        break;
      }
      if (retried) out.statuses.retried_after_net = (out.statuses.retried_after_net ?? 0) + 1;
      out.statuses[key] = (out.statuses[key] ?? 0) + 1;
      opts.onEach?.(i);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  return out;
}

export async function count(sql: pg.Client, text: string, params: unknown[] = []): Promise<number> {
  return Number((await sql.query(text, params)).rows[0].n);
}

/** Polls until `probe` is truthy; on timeout fails with `describe()` (state of the world) in the message. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, describe?: () => Promise<string>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `\n${await describe()}` : ''}`);
    await sleep(100);
  }
}

/** The autonomy-side state of a tenant's confirmations, for assertions and failure messages. */
export async function confirmationState(sql: pg.Client, tenantId: string) {
  const jobs = (await sql.query(`SELECT status, count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' GROUP BY 1 ORDER BY 1`, [tenantId])).rows;
  const outbox = (await sql.query(`SELECT status, count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND template = 'confirmation' GROUP BY 1 ORDER BY 1`, [tenantId])).rows;
  const events = (await sql.query(`SELECT (processed_at IS NOT NULL) AS processed, count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = 'BookingCreated' GROUP BY 1`, [tenantId])).rows;
  return { jobs, outbox, events };
}

/**
 * The exactly-once figures for a tenant's bookings: one completed send_confirmation job per
 * appointment, one outbox row per (job, channel), every row sent, and (with a sink) one mail each.
 */
export async function confirmationFigures(sql: pg.Client, tenantId: string, mailsTo?: (email: string) => MailCount, emails?: Map<string, string>) {
  const appointments = await count(sql, `SELECT count(*)::int AS n FROM appointments WHERE tenant_id = $1`, [tenantId]);
  const jobsPerAppointment = (
    await sql.query(
      `SELECT a.id, count(j.id)::int AS jobs, count(j.id) FILTER (WHERE j.status = 'completed')::int AS completed
         FROM appointments a LEFT JOIN jobs j ON j.appointment_id = a.id AND j.type = 'send_confirmation'
        WHERE a.tenant_id = $1 GROUP BY a.id`,
      [tenantId],
    )
  ).rows as { id: string; jobs: number; completed: number }[];
  const lost = jobsPerAppointment.filter((r) => r.completed === 0).length;
  const duplicateJobs = jobsPerAppointment.filter((r) => r.jobs > 1).length;
  const stuck = await count(sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND status NOT IN ('completed')`, [tenantId]);
  const outboxDuplicates = await count(
    sql,
    `SELECT count(*)::int AS n FROM (SELECT job_id, channel FROM notification_outbox WHERE tenant_id = $1 GROUP BY 1, 2 HAVING count(*) > 1) d`,
    [tenantId],
  );
  const confirmationsPerAppointment = (
    await sql.query(`SELECT a.id, count(o.id)::int AS n FROM appointments a LEFT JOIN notification_outbox o ON o.appointment_id = a.id AND o.template = 'confirmation' AND o.status = 'sent' WHERE a.tenant_id = $1 GROUP BY a.id`, [tenantId])
  ).rows as { id: string; n: number }[];
  const notSent = confirmationsPerAppointment.filter((r) => r.n === 0).length;
  const sentTwice = confirmationsPerAppointment.filter((r) => r.n > 1).length;
  const reclaimed = await count(sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND attempts > 1`, [tenantId]);
  const outboxRetried = await count(sql, `SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND attempts > 1`, [tenantId]);
  let mailsMissing = 0;
  let mailsDuplicated = 0;
  let smtpRedeliveries = 0;
  if (mailsTo && emails) {
    const emailsByAppointment = (await sql.query(`SELECT id FROM appointments WHERE tenant_id = $1`, [tenantId])).rows.map((r) => r.id as string);
    for (const id of emailsByAppointment) {
      const email = emails.get(id);
      if (!email) continue; // committed but its response was lost with the process: checked through the outbox
      const n = mailsTo(email);
      if (n.total === 0) mailsMissing++;
      if (n.distinct > 1) mailsDuplicated++;
      smtpRedeliveries += Math.max(0, n.total - 1);
    }
  }
  return { appointments, lost, duplicateJobs, stuck, outboxDuplicates, notSent, sentTwice, reclaimed, outboxRetried, mailsMissing, mailsDuplicated, smtpRedeliveries };
}

/** Waits until every appointment of the tenant has a completed confirmation job and a sent outbox row. */
export async function waitForAllConfirmed(sql: pg.Client, tenantId: string, timeoutMs: number, procs: ChildApp[] = []): Promise<number> {
  return waitUntil(
    'every booking confirmed',
    async () => {
      const missing = await count(
        sql,
        `SELECT count(*)::int AS n FROM appointments a
          WHERE a.tenant_id = $1
            AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.appointment_id = a.id AND o.template = 'confirmation' AND o.status = 'sent')`,
        [tenantId],
      );
      const open = await count(sql, `SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' AND status IN ('pending', 'claimed')`, [tenantId]);
      return missing === 0 && open === 0;
    },
    timeoutMs,
    async () => `${JSON.stringify(await confirmationState(sql, tenantId))}\n${procs.map((p) => p.output().slice(-3000)).join('\n----\n')}`,
  );
}

export interface MailCount {
  /** SMTP transactions that delivered a message to the address */
  total: number;
  /** distinct Message-IDs among them: a re-send of the same outbox row carries the same one */
  distinct: number;
}

export function mailCounter(mails: { to: string[]; messageId: string }[]): (email: string) => MailCount {
  return (email) => {
    const hits = mails.filter((m) => m.to.includes(email));
    return { total: hits.length, distinct: new Set(hits.map((m) => m.messageId)).size };
  };
}
