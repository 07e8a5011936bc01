import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnqueueNotificationInput, Notification } from '../src/modules/notifications/notification.types.js';
import { NotificationsModule } from '../src/modules/notifications/notifications.module.js';
import { NotificationOutboxService } from '../src/modules/notifications/outbox/notification-outbox.service.js';
import { NotificationTemplateRenderer } from '../src/modules/notifications/templates/notification-template.renderer.js';
import { newClient, newTenant, type TestTenant } from './support/builders.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

interface ReceivedMail {
  mailFrom: string | undefined;
  rcptTo: string[];
  headers: Map<string, string>;
  body: string;
}

/** Headers (unfolded) and the decoded plain-text body of a single-part message. */
function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'body'> {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, split).replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** A real SMTP server (smtp-server) in the test process, recording what it accepts. */
async function startSmtp(port = 0): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope;
        mails.push({
          mailFrom: envelope.mailFrom ? envelope.mailFrom.address : undefined,
          rcptTo: envelope.rcptTo.map((a) => a.address),
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A port nothing listens on, chosen below the ephemeral range (Linux: 32768–60999), so no client
 * socket or `listen(0)` of the parallel test files takes it while the "server" is down.
 */
async function downPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const s = createServer();
    const free = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (free) {
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    }
  }
}

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000) =>
  pollUntil(what, probe, timeoutMs, 20);

/** What a registered tool does: render from plain data, enqueue inside its transaction. */
async function enqueueConfirmation(app: TestApp, tenant: TestTenant, over: Partial<EnqueueNotificationInput> & { clientName?: string } = {}) {
  const renderer = app.app.get(NotificationTemplateRenderer);
  const { subject, body } = renderer.render('confirmation', {
    tenantName: 'Praxis Sonnenschein',
    timezone: tenant.timezone,
    clientName: over.clientName ?? 'Ada Lovelace',
    start: '2031-07-07T08:00:00Z',
    end: '2031-07-07T08:30:00Z',
    service: 'Check-up',
  });
  const input: EnqueueNotificationInput = {
    tenantId: tenant.id,
    jobId: randomUUID(),
    appointmentId: randomUUID(),
    channel: 'email',
    template: 'confirmation',
    recipient: newClient().client_email,
    subject,
    body,
    ...over,
  };
  const row = await app.app.get(DataSource).transaction((m) => app.app.get(NotificationOutboxService).enqueue(m, input));
  return { input, row };
}

async function row(db: pg.Client, id: string): Promise<Notification> {
  return (await db.query(`SELECT * FROM notification_outbox WHERE id = $1`, [id])).rows[0];
}

describe('email over a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  let db: pg.Client;
  let tenant: TestTenant;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, smtpFrom: 'Praxis <bookings@praxis.example>' }, undefined, [NotificationsModule]);
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    tenant = await newTenant(t.url, t.adminKey, { timezone: 'Europe/Berlin', name: 'Praxis Sonnenschein' });
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await smtp?.close();
  });

  it('delivers a confirmation with the right recipient, subject, local time and a Message-ID derived from the outbox id', async () => {
    const { input, row: enqueued } = await enqueueConfirmation(t, tenant);
    expect(enqueued.created).toBe(true);
    const mail = await waitFor('the confirmation at the SMTP server', () => smtp.mails.find((m) => m.rcptTo.includes(input.recipient)));
    expect(mail.rcptTo).toEqual([input.recipient]);
    expect(mail.mailFrom).toBe('bookings@praxis.example');
    expect(mail.headers.get('to')).toContain(input.recipient);
    expect(mail.headers.get('subject')).toBe('Appointment confirmed: Monday, 7 July 2031, 10:00 (Europe/Berlin) at Praxis Sonnenschein');
    expect(mail.headers.get('message-id')).toBe(`<${enqueued.id}@agent-runtime>`);
    expect(mail.body).toContain('Hello Ada Lovelace,');
    expect(mail.body).toContain('When: Monday, 7 July 2031, 10:00–10:30 (Europe/Berlin)');

    const sent = await waitFor('the row marked sent', async () => {
      const r = await row(db, enqueued.id);
      return r.status === 'sent' ? r : null;
    });
    expect(sent.delivered_via).toBe('email');
    expect(sent.provider_message_id).toBe(`<${enqueued.id}@agent-runtime>`);
    expect(sent.attempts).toBe(1);
    expect(sent.sent_at).toBeInstanceOf(Date);

    // Audited, with the recipient redacted.
    const audit = await waitFor('the audit rows', async () => {
      const r = await db.query(`SELECT event_type, payload::text AS payload FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [enqueued.id]);
      return r.rows.length >= 2 ? r.rows : null;
    });
    expect(audit.map((a) => a.event_type)).toEqual(['notification.enqueued', 'notification.sent']);
    for (const a of audit) {
      expect(a.payload).not.toContain(input.recipient);
      expect(a.payload).toMatch(/"recipient": ?"\[EMAIL:[0-9a-f]+\]"/);
    }
  });

  it('sends one message for a (job, channel) enqueued again: a job retried after a crash between send and completion', async () => {
    const { input, row: first } = await enqueueConfirmation(t, tenant);
    await waitFor('the first send', async () => (await row(db, first.id)).status === 'sent');
    // The job runs again (its completion was never recorded): same job, same channel.
    const again = await t.app.get(DataSource).transaction((m) => t.app.get(NotificationOutboxService).enqueue(m, input));
    expect(again.created).toBe(false);
    expect(again.id).toBe(first.id);
    expect(again.status).toBe('sent');
    // And two attempts racing in parallel transactions still make one row.
    const [a, b] = await Promise.all([1, 2].map(() => t.app.get(DataSource).transaction((m) => t.app.get(NotificationOutboxService).enqueue(m, input))));
    expect(a!.id).toBe(first.id);
    expect(b!.id).toBe(first.id);
    await new Promise((r) => setTimeout(r, 1500)); // more than the poll interval: a second send would have happened
    expect(smtp.mails.filter((m) => m.rcptTo.includes(input.recipient))).toHaveLength(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM notification_outbox WHERE job_id = $1`, [input.jobId])).rows[0].n).toBe(1);
  });

  it('a second channel for the same job is a second row (uniqueness is per job and channel)', async () => {
    const { input, row: email } = await enqueueConfirmation(t, tenant);
    const log = await t.app.get(DataSource).transaction((m) => t.app.get(NotificationOutboxService).enqueue(m, { ...input, channel: 'log' }));
    expect(log.created).toBe(true);
    expect(log.id).not.toBe(email.id);
  });

  it('a rolled-back transaction leaves no row and sends nothing', async () => {
    const recipient = newClient().client_email;
    const jobId = randomUUID();
    await expect(
      t.app.get(DataSource).transaction(async (m) => {
        await t.app.get(NotificationOutboxService).enqueue(m, { tenantId: tenant.id, jobId, appointmentId: null, channel: 'email', template: 'reminder', recipient, subject: 'Reminder', body: 'See you' });
        throw new Error('the job failed after enqueuing');
      }),
    ).rejects.toThrow('the job failed');
    await new Promise((r) => setTimeout(r, 1200));
    expect((await db.query(`SELECT count(*)::int AS n FROM notification_outbox WHERE job_id = $1`, [jobId])).rows[0].n).toBe(0);
    expect(smtp.mails.some((m) => m.rcptTo.includes(recipient))).toBe(false);
  });

  it('refuses a malformed notification before it is written', async () => {
    const svc = t.app.get(NotificationOutboxService);
    const ds = t.app.get(DataSource);
    const base: EnqueueNotificationInput = { tenantId: tenant.id, jobId: randomUUID(), appointmentId: null, channel: 'email', template: 'confirmation', recipient: 'a@example.com', subject: 'S', body: 'B' };
    await expect(ds.transaction((m) => svc.enqueue(m, { ...base, recipient: 'not-an-address' }))).rejects.toMatchObject({ code: 'INVALID_NOTIFICATION', field: 'recipient' });
    await expect(ds.transaction((m) => svc.enqueue(m, { ...base, subject: 'Hi\r\nBcc: x@example.com' }))).rejects.toMatchObject({ field: 'subject' });
    await expect(ds.transaction((m) => svc.enqueue(m, { ...base, template: 'birthday' as never }))).rejects.toMatchObject({ field: 'template' });
    await expect(ds.transaction((m) => svc.enqueue(m, { ...base, channel: 'pigeon' as never }))).rejects.toMatchObject({ field: 'channel' });
  });
});

describe('email while the SMTP server is down', () => {
  let t: TestApp;
  let db: pg.Client;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;

  beforeAll(async () => {
    const port = await downPort();
    t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, notificationBackoffBaseMs: 150 }, undefined, [NotificationsModule]);
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await smtp?.close();
  });

  it('retries with backoff, then sends exactly once when the server is back', async () => {
    const tenant = await newTenant(t.url, t.adminKey, { timezone: 'Europe/Berlin' });
    const port = Number(new URL(t.config.smtpUrl!).port);
    const { input, row: enqueued } = await enqueueConfirmation(t, tenant);

    // two attempts that have *finished* failing (a claim counts an attempt before it ends)
    const failing = await waitFor('two failed attempts', async () => {
      const failed = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND event_type = 'notification.retry_scheduled'`, [enqueued.id]);
      const r = await row(db, enqueued.id);
      return failed.rows[0].n >= 2 && r.status === 'pending' && r.last_error ? r : null;
    });
    expect(failing.last_error).toMatch(/SMTP: .*(ECONNREFUSED|connect)/i);
    expect(failing.sent_at).toBeNull();

    smtp = await startSmtp(port);
    const sent = await waitFor('the row marked sent', async () => {
      const r = await row(db, enqueued.id);
      return r.status === 'sent' ? r : null;
    });
    expect(sent.attempts).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1200));
    const mails = smtp.mails.filter((m) => m.rcptTo.includes(input.recipient));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.headers.get('message-id')).toBe(`<${enqueued.id}@agent-runtime>`);

    const events = (await db.query(`SELECT event_type, payload, created_at FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [enqueued.id])).rows;
    expect(events[0].event_type).toBe('notification.enqueued');
    expect(events.at(-1).event_type).toBe('notification.sent');
    const retries = events.filter((e) => e.event_type === 'notification.retry_scheduled');
    expect(retries.length).toBe(sent.attempts - 1);
    expect(retries[0].payload.error).toMatch(/SMTP/);
    // Exponential backoff: 150 ms, then about three times as long each time (±10 % jitter).
    const delays = retries.map((e) => new Date(e.payload.next_attempt_at).getTime() - new Date(e.created_at).getTime());
    expect(delays[0]).toBeGreaterThanOrEqual(130);
    expect(delays[0]).toBeLessThanOrEqual(170);
    for (let i = 1; i < delays.length; i++) expect(delays[i]! / delays[i - 1]!).toBeGreaterThan(2.4);
  });
});
