import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnqueueNotificationInput, Notification } from '../src/modules/notifications/notification.types.js';
import { NotificationsModule } from '../src/modules/notifications/notifications.module.js';
import { NotificationOutboxService } from '../src/modules/notifications/outbox/notification-outbox.service.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

const TOKEN = 'sms-provider-token-for-the-tests-0123';

interface SmsRequest {
  authorization: string | undefined;
  contentType: string | undefined;
  json: { to?: unknown; body?: unknown; reference?: unknown; [k: string]: unknown };
  status: number;
}

/** A generic SMS provider: answers the planned status per reference (default 200 with an id), optionally slowly. */
class SmsProvider {
  readonly requests: SmsRequest[] = [];
  readonly plans = new Map<string, number[]>();
  delayMs = 0;
  private server!: Server;
  url = '';
  private n = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let json: SmsRequest['json'] = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          /* recorded as empty */
        }
        const authorized = req.headers.authorization === `Bearer ${TOKEN}` && req.method === 'POST' && req.url === '/v1/sms';
        const status = authorized ? (this.plans.get(String(json.reference))?.shift() ?? 200) : 401;
        this.requests.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], json, status });
        const id = `sms-${++this.n}`;
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { id, status: 'queued' } : { error: 'no' })), this.delayMs);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/sms`;
  }

  for(reference: string): SmsRequest[] {
    return this.requests.filter((r) => r.json.reference === reference);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000) =>
  pollUntil(what, probe, timeoutMs, 20);

function sms(tenantId: string, over: Partial<EnqueueNotificationInput> = {}): EnqueueNotificationInput {
  return {
    tenantId,
    jobId: randomUUID(),
    appointmentId: randomUUID(),
    channel: 'sms',
    template: 'reminder',
    recipient: '+44 20 7946 0958',
    subject: null,
    body: 'Reminder: your appointment at Praxis Sonnenschein on Monday, 7 July 2031, 10:00 (Europe/Berlin).',
    ...over,
  };
}

const provider = new SmsProvider();
let database: TestDatabase;
let t: TestApp;
let db: pg.Client;

beforeAll(async () => {
  await provider.start();
  database = await createTestDatabase();
  t = await startTestApp({ smsProviderUrl: provider.url, smsProviderToken: TOKEN, notificationBackoffBaseMs: 100, notificationPollIntervalMs: 200 }, database, [NotificationsModule]);
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  await database?.drop();
  await provider.close();
});

async function enqueue(app: TestApp, inputs: EnqueueNotificationInput[]): Promise<Notification[]> {
  return app.app.get(DataSource).transaction(async (m) => {
    const out: Notification[] = [];
    for (const i of inputs) out.push(await app.app.get(NotificationOutboxService).enqueue(m, i));
    return out;
  });
}

async function until(id: string, status: 'sent' | 'failed'): Promise<Notification> {
  return waitFor(`notification ${id} ${status}`, async () => {
    const r = (await db.query(`SELECT * FROM notification_outbox WHERE id = $1`, [id])).rows[0];
    return r.status === status ? r : null;
  });
}

describe('SMS through a generic HTTP provider', () => {
  it('POSTs JSON {to, body, reference} with the bearer token and keeps the provider’s message id', async () => {
    const [n] = await enqueue(t, [sms(randomUUID())]);
    const sent = await until(n!.id, 'sent');
    const [req] = provider.for(n!.id);
    expect(req!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req!.contentType).toBe('application/json');
    expect(req!.json).toEqual({ to: '+44 20 7946 0958', body: n!.body, reference: n!.id });
    expect(sent.delivered_via).toBe('sms');
    expect(sent.provider_message_id).toMatch(/^sms-\d+$/);
  });

  it('retries a 503 with the same reference, then sends', async () => {
    const [n] = await enqueue(t, [sms(randomUUID())]);
    provider.plans.set(n!.id, [503]);
    const sent = await until(n!.id, 'sent');
    expect(provider.for(n!.id).map((r) => r.status)).toEqual([503, 200]);
    expect(sent.attempts).toBe(2);
    expect(sent.last_error).toMatch(/503/);
  });

  it('a 4xx from the provider is permanent: failed after one attempt', async () => {
    const [n] = await enqueue(t, [sms(randomUUID())]);
    provider.plans.set(n!.id, [422]);
    const failed = await until(n!.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/422/);
    expect(provider.for(n!.id)).toHaveLength(1);
    // The phone number is redacted in the audit trail.
    const audit = await db.query(`SELECT payload::text AS p FROM audit_log WHERE entity_id = $1`, [n!.id]);
    expect(audit.rows.length).toBe(2);
    for (const a of audit.rows) {
      expect(a.p).not.toMatch(/7946/);
      expect(a.p).toMatch(/\[PHONE:[0-9a-f]+\]/);
    }
  });

  it('two instances on one database send each of 300 rows exactly once (leased SKIP LOCKED claims)', async () => {
    const second = await startTestApp(
      { smsProviderUrl: provider.url, smsProviderToken: TOKEN, notificationBackoffBaseMs: 100, notificationPollIntervalMs: 200 },
      database,
      [NotificationsModule],
    );
    try {
      provider.delayMs = 15;
      const tenantId = randomUUID();
      const rows = await enqueue(t, Array.from({ length: 300 }, () => sms(tenantId)));
      await waitFor('every row sent', async () => {
        const r = await db.query(`SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND status = 'sent'`, [tenantId]);
        return r.rows[0].n === 300;
      }, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      for (const n of rows) expect(provider.for(n.id).length, n.id).toBe(1);
      const actors = await db.query(
        `SELECT actor, count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND event_type = 'notification.sent' GROUP BY actor`,
        [tenantId],
      );
      expect(actors.rows.length).toBe(2); // both instances took part
      expect(actors.rows.reduce((s, r) => s + r.n, 0)).toBe(300);
    } finally {
      provider.delayMs = 0;
      await second.close();
    }
  });
});
