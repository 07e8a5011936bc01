import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnqueueNotificationInput, Notification } from '../src/modules/notifications/notification.types.js';
import { NotificationsModule } from '../src/modules/notifications/notifications.module.js';
import { NotificationOutboxService } from '../src/modules/notifications/outbox/notification-outbox.service.js';
import { newClient, newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until as pollUntil } from './support/until.js';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  verified: boolean;
  verifyError?: string;
  status: number;
}

/**
 * A webhook receiver: verifies every delivery with the `standardwebhooks` package (an implementation
 * independent of ours) using the secret the API showed, and answers the statuses planned per path.
 */
class Receiver {
  readonly deliveries: Delivery[] = [];
  readonly secrets = new Map<string, string>();
  readonly plans = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        let verified = false;
        let verifyError: string | undefined;
        try {
          new Webhook(this.secrets.get(path) ?? 'whsec_bm90IHRoZSBzZWNyZXQ=').verify(raw, req.headers as Record<string, string>);
          verified = true;
        } catch (e) {
          verifyError = (e as Error).message;
        }
        const status = verified ? (this.plans.get(path)?.shift() ?? 200) : 401;
        this.deliveries.push({ path, headers: req.headers, raw, verified, verifyError, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000) =>
  pollUntil(what, probe, timeoutMs, 20);

let t: TestApp;
let db: pg.Client;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  t = await startTestApp({ webhookAllowPrivate: true, webhookRetryScheduleMs: [0, 300, 600, 1200] }, undefined, [NotificationsModule]);
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  await receiver.close();
});

async function row(id: string): Promise<Notification> {
  return (await db.query(`SELECT * FROM notification_outbox WHERE id = $1`, [id])).rows[0];
}

async function until(id: string, status: 'sent' | 'failed'): Promise<Notification> {
  return waitFor(`notification ${id} ${status}`, async () => {
    const r = await row(id);
    return r.status === status ? r : null;
  });
}

/** A tenant with its endpoint set through the API; the receiver learns the secret the API showed once. */
async function tenantWithEndpoint(): Promise<{ tenant: TestTenant; path: string; secret: string }> {
  const tenant = await newTenant(t.url, t.adminKey, { timezone: 'Europe/Berlin' });
  const path = `/hooks/${tenant.slug}`;
  const res = await client(t.url, tenant.apiKey).put('/api/notifications/webhook', { url: receiver.url + path });
  expect(res.status).toBe(200);
  receiver.secrets.set(path, res.body.secret);
  return { tenant, path, secret: res.body.secret };
}

async function enqueueWebhook(tenant: TestTenant, template: EnqueueNotificationInput['template'] = 'confirmation'): Promise<Notification & { created: boolean }> {
  const input: EnqueueNotificationInput = {
    tenantId: tenant.id,
    jobId: randomUUID(),
    appointmentId: randomUUID(),
    channel: 'webhook',
    template,
    recipient: newClient().client_email,
    subject: 'Appointment confirmed: Monday, 7 July 2031, 10:00 (Europe/Berlin)',
    body: 'Hello Ada,\nyour appointment is confirmed.',
  };
  return t.app.get(DataSource).transaction((m) => t.app.get(NotificationOutboxService).enqueue(m, input));
}

describe('the tenant webhook endpoint API', () => {
  it('PUT generates a whsec_ secret and shows it once; GET never shows it; PUT again keeps it unless rotated', async () => {
    const { tenant, path, secret } = await tenantWithEndpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const api = client(t.url, tenant.apiKey);
    const got = await api.get('/api/notifications/webhook');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ tenant_id: tenant.id, url: receiver.url + path, enabled: true, disabled_at: null });
    expect(got.body.secret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(secret.slice(6));

    const again = await api.put('/api/notifications/webhook', { url: receiver.url + path + '?v=2' });
    expect(again.status).toBe(200);
    expect(again.body.secret).toBeUndefined();
    expect((await db.query(`SELECT secret FROM tenant_webhooks WHERE tenant_id = $1`, [tenant.id])).rows[0].secret).toBe(secret);

    const rotated = await api.put('/api/notifications/webhook', { url: receiver.url + path, rotate_secret: true });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    receiver.secrets.set(path, rotated.body.secret);

    // The secret is never in the audit trail.
    const audit = await db.query(`SELECT payload::text AS p FROM audit_log WHERE entity_type = 'tenant_webhook' AND entity_id = $1`, [tenant.id]);
    expect(audit.rows.length).toBe(3);
    for (const a of audit.rows) {
      expect(a.p).not.toContain(secret.slice(6));
      expect(a.p).not.toContain(rotated.body.secret.slice(6));
    }

    expect((await api.delete('/api/notifications/webhook')).status).toBe(204);
    expect((await api.get('/api/notifications/webhook')).status).toBe(404);
    expect((await api.delete('/api/notifications/webhook')).status).toBe(404);
  });

  it('is tenant-scoped: another tenant gets 404; the admin must name the tenant', async () => {
    const { tenant } = await tenantWithEndpoint();
    const other = await newTenant(t.url, t.adminKey);
    const otherApi = client(t.url, other.apiKey);
    expect((await otherApi.get(`/api/notifications/webhook?tenant_id=${tenant.id}`)).status).toBe(404);
    expect((await otherApi.put('/api/notifications/webhook', { tenant_id: tenant.id, url: `${receiver.url}/x` })).status).toBe(404);
    expect((await otherApi.delete(`/api/notifications/webhook?tenant_id=${tenant.id}`)).status).toBe(404);
    expect((await otherApi.get('/api/notifications/webhook')).status).toBe(404); // its own: none set
    const admin = client(t.url, t.adminKey);
    expect((await admin.get('/api/notifications/webhook')).status).toBe(400);
    expect((await admin.get(`/api/notifications/webhook?tenant_id=${tenant.id}`)).body.tenant_id).toBe(tenant.id);
    expect((await admin.put('/api/notifications/webhook', { tenant_id: randomUUID(), url: `${receiver.url}/x` })).status).toBe(404);
  });

  it('refuses non-http(s) URLs and malformed input with 400 naming the field', async () => {
    const { tenant } = await tenantWithEndpoint();
    const api = client(t.url, tenant.apiKey);
    for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'not a url', 'https://user:pw@example.com/']) {
      const res = await api.put('/api/notifications/webhook', { url });
      expect(res.status, url).toBe(400);
      expect(res.body).toMatchObject({ error: 'WEBHOOK_URL_REFUSED', field: 'url' });
    }
    expect((await api.put('/api/notifications/webhook', { url: 42 })).body.field).toBe('url');
    expect((await api.put('/api/notifications/webhook', {})).status).toBe(400);
    expect((await api.put('/api/notifications/webhook', { url: `${receiver.url}/x`, extra: 1 })).status).toBe(400);
  });
});

describe('signed deliveries (Standard Webhooks)', () => {
  it('every delivery verifies with the standardwebhooks package; webhook-id is the outbox id', async () => {
    const { tenant, path } = await tenantWithEndpoint();
    const n = await enqueueWebhook(tenant);
    const sent = await until(n.id, 'sent');
    const [d] = receiver.to(path);
    expect(d!.verified).toBe(true);
    expect(d!.headers['webhook-id']).toBe(n.id);
    expect(Math.abs(Number(d!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(d!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(d!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(d!.raw);
    expect(body).toMatchObject({ type: 'notification.confirmation', data: { notification_id: n.id, tenant_id: tenant.id, recipient: n.recipient, template: 'confirmation' } });
    expect(sent).toMatchObject({ delivered_via: 'webhook', provider_message_id: n.id, attempts: 1 });
  });

  it('a delivery signed with another secret does not verify (the check can fail)', async () => {
    const { tenant, path } = await tenantWithEndpoint();
    receiver.secrets.set(path, 'whsec_' + Buffer.from('a completely different secret!!').toString('base64'));
    const n = await enqueueWebhook(tenant);
    await waitFor('a delivery', () => receiver.to(path).length > 0);
    expect(receiver.to(path)[0]!.verified).toBe(false);
    expect(receiver.to(path)[0]!.verifyError).toMatch(/signature/i);
    // 401 from the receiver is retried like any failure
    expect((await waitFor('a retry scheduled', async () => ((await row(n.id)).last_error ? row(n.id) : null))).last_error).toMatch(/401/);
  });

  it('retries a 500 with the same webhook-id and body, then succeeds; each attempt verifies', async () => {
    const { tenant, path } = await tenantWithEndpoint();
    receiver.plans.set(path, [500]);
    const n = await enqueueWebhook(tenant);
    const sent = await until(n.id, 'sent');
    const ds = receiver.to(path);
    expect(ds.map((d) => d.status)).toEqual([500, 200]);
    expect(ds.every((d) => d.verified)).toBe(true);
    expect(new Set(ds.map((d) => d.headers['webhook-id']))).toEqual(new Set([n.id]));
    expect(ds[1]!.raw).toBe(ds[0]!.raw);
    expect(sent.attempts).toBe(2);
    expect(sent.last_error).toMatch(/answered 500/);
    const events = (await db.query(`SELECT event_type FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [n.id])).rows.map((r) => r.event_type);
    expect(events).toEqual(['notification.enqueued', 'notification.retry_scheduled', 'notification.sent']);
  });

  it('gives up after the last attempt of the schedule', async () => {
    const { tenant, path } = await tenantWithEndpoint();
    receiver.plans.set(path, [503, 503, 503, 503, 503]);
    const n = await enqueueWebhook(tenant);
    const failed = await until(n.id, 'failed');
    expect(failed.attempts).toBe(4);
    expect(receiver.to(path)).toHaveLength(4);
    // The gaps follow the (shortened) schedule: 300, 600, 1200 ms.
    const times = (await db.query(`SELECT created_at FROM audit_log WHERE entity_id = $1 AND event_type IN ('notification.retry_scheduled', 'notification.failed') ORDER BY seq`, [n.id])).rows.map((r) => new Date(r.created_at).getTime());
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(290);
    expect(gaps[1]).toBeGreaterThanOrEqual(590);
    expect(gaps[2]).toBeGreaterThanOrEqual(1190);
    expect(gaps[2]).toBeLessThan(2500);
  });

  it('a 410 disables the endpoint: the row fails at once, later webhooks are not attempted, PUT re-enables', async () => {
    const { tenant, path } = await tenantWithEndpoint();
    receiver.plans.set(path, [410]);
    const n = await enqueueWebhook(tenant);
    const failed = await until(n.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/410/);
    const api = client(t.url, tenant.apiKey);
    const endpoint = (await api.get('/api/notifications/webhook')).body;
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabled_reason).toMatch(/410/);
    expect(endpoint.disabled_at).toBeTruthy();

    const next = await enqueueWebhook(tenant, 'reminder');
    const refused = await until(next.id, 'failed');
    expect(refused.last_error).toMatch(/disabled/);
    expect(receiver.to(path)).toHaveLength(1);

    const audit = await db.query(`SELECT payload FROM audit_log WHERE event_type = 'webhook.endpoint_disabled' AND tenant_id = $1`, [tenant.id]);
    expect(audit.rows[0].payload).toMatchObject({ notification_id: n.id });

    expect((await api.put('/api/notifications/webhook', { url: receiver.url + path })).body.enabled).toBe(true);
    const third = await enqueueWebhook(tenant, 'follow_up');
    await until(third.id, 'sent');
    expect(receiver.to(path).filter((d) => d.status === 200)).toHaveLength(1);
  });

  it('a tenant without an endpoint: the webhook row fails at once, nothing is sent', async () => {
    const tenant = await newTenant(t.url, t.adminKey);
    const n = await enqueueWebhook(tenant);
    const failed = await until(n.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/no webhook endpoint/);
  });
});

describe('private targets with WEBHOOK_ALLOW_PRIVATE=false', () => {
  let strict: TestApp;
  let strictDb: pg.Client;
  beforeAll(async () => {
    strict = await startTestApp({ webhookAllowPrivate: false }, undefined, [NotificationsModule]);
    strictDb = new pg.Client({ connectionString: strict.db.url });
    await strictDb.connect();
  });
  afterAll(async () => {
    await strictDb?.end();
    await strict?.close();
  });

  it('refuses localhost and private addresses when the endpoint is set', async () => {
    const tenant = await newTenant(strict.url, strict.adminKey);
    const api = client(strict.url, tenant.apiKey);
    for (const url of [`${receiver.url}/hook`, 'http://localhost:9/hook', 'http://10.0.0.8/hook', 'http://[::1]:8080/', 'http://169.254.169.254/latest/meta-data']) {
      const res = await api.put('/api/notifications/webhook', { url });
      expect(res.status, url).toBe(400);
      expect(res.body).toMatchObject({ error: 'WEBHOOK_URL_REFUSED', field: 'url' });
    }
  });

  it('refuses them again at delivery time: a stored private endpoint gets no request', async () => {
    const tenant = await newTenant(strict.url, strict.adminKey);
    const path = `/hooks/strict-${tenant.slug}`;
    // As if set while private targets were allowed (or a name that now resolves to a private address).
    await strictDb.query(`INSERT INTO tenant_webhooks (tenant_id, url, secret) VALUES ($1, $2, $3)`, [tenant.id, receiver.url + path, 'whsec_' + Buffer.alloc(32, 7).toString('base64')]);
    const input: EnqueueNotificationInput = { tenantId: tenant.id, jobId: randomUUID(), appointmentId: null, channel: 'webhook', template: 'confirmation', recipient: 'x@example.com', subject: 's', body: 'b' };
    const n = await strict.app.get(DataSource).transaction((m) => strict.app.get(NotificationOutboxService).enqueue(m, input));
    const failed = await waitFor('the refused row', async () => {
      const r = (await strictDb.query(`SELECT * FROM notification_outbox WHERE id = $1`, [n.id])).rows[0];
      return r.status === 'failed' ? r : null;
    });
    expect(failed.last_error).toMatch(/refused|private/);
    expect(receiver.to(path)).toHaveLength(0);
  });
});
