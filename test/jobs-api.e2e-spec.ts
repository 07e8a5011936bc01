import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { JobsModule } from '../src/modules/jobs/jobs.module.js';
import { newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// API role: no runner, so the jobs stay where the test puts them.
let t: TestApp;
let queue: JobQueue;
let a: TestTenant;
let b: TestTenant;
let aJobs: string[];
let bJobs: string[];
let systemJob: string;
const appointment = randomUUID();

beforeAll(async () => {
  t = await startTestApp({ role: 'api', autonomyEnabled: true }, undefined, [JobsModule]);
  queue = t.app.get(JobQueue);
  a = await newTenant(t.url, t.adminKey);
  b = await newTenant(t.url, t.adminKey);
  aJobs = (
    await queue.enqueueMany<Record<string, unknown>>([
      ...Array.from({ length: 4 }, (_, i) => ({ type: 'send_reminder', tenantId: a.id, payload: { i } })),
      { type: 'send_confirmation', tenantId: a.id, payload: { appointment_id: appointment }, appointmentId: appointment },
    ])
  ).map((r) => r.job!.id);
  bJobs = (await queue.enqueueMany([1, 2].map((i) => ({ type: 'send_reminder', tenantId: b.id, payload: { i } })))).map((r) => r.job!.id);
  systemJob = (await queue.enqueue('retry_calendar_sync', null, {})).job!.id;
});
afterAll(async () => {
  await t?.close();
});

describe('/api/jobs', () => {
  it('lists every job for the admin, newest first, in keyset pages that neither repeat nor skip', async () => {
    const admin = client(t.url, t.adminKey);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: { id: string }[]; next_cursor: string | null } } = await admin.get(`/api/jobs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((j: { id: string }) => j.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen)).toEqual(new Set([...aJobs, ...bJobs, systemJob]));
    expect(seen[0]).toBe(systemJob); // enqueued last
    const all = await admin.get('/api/jobs?limit=100');
    expect(all.body.items.map((j: { id: string }) => j.id)).toEqual(seen);
    expect(all.body.next_cursor).toBeNull();
  });

  it('filters by tenant, status, type, appointment and creation time', async () => {
    const admin = client(t.url, t.adminKey);
    const ids = async (q: string) => ((await admin.get(`/api/jobs?${q}`)).body.items as { id: string }[]).map((j) => j.id).sort();
    expect(await ids(`tenant_id=${b.id}`)).toEqual([...bJobs].sort());
    expect(await ids(`tenant_id=${a.id}&type=send_confirmation`)).toEqual([aJobs[4]]);
    expect(await ids(`appointment_id=${appointment}`)).toEqual([aJobs[4]]);
    expect(await ids(`status=completed`)).toEqual([]);
    expect(await ids(`from=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
    expect((await ids(`to=${new Date(Date.now() + 60_000).toISOString()}`)).length).toBe(8);
  });

  it('a tenant key sees only its own jobs; another tenant’s job answers 404', async () => {
    const ka = client(t.url, a.apiKey);
    const list = await ka.get('/api/jobs');
    expect(list.status).toBe(200);
    expect(list.body.items.map((j: { id: string }) => j.id).sort()).toEqual([...aJobs].sort());
    expect((await ka.get(`/api/jobs?tenant_id=${b.id}`)).status).toBe(404);
    expect((await ka.get(`/api/jobs/${bJobs[0]}`)).status).toBe(404);
    expect((await ka.get(`/api/jobs/${systemJob}`)).status).toBe(404);
    expect((await ka.post(`/api/jobs/${bJobs[0]}/cancel`)).status).toBe(404);
    const own = await ka.get(`/api/jobs/${aJobs[0]}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: aJobs[0], tenant_id: a.id, type: 'send_reminder', status: 'pending', attempts: 0, max_attempts: 3 });
    expect(own.body.history.map((h: { event_type: string }) => h.event_type)).toEqual(['job.enqueued']);
  });

  // POST /api/jobs/:id/retry is the autonomy module's (policy-gated); JobQueue.retry is covered in jobs-queue.
  it('cancel through the API, with its conflicts, audited with the caller as actor', async () => {
    const ka = client(t.url, a.apiKey);
    const id = aJobs[1]!;
    const cancelled = await ka.post(`/api/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', outcome: 'cancelled', outcome_reason: expect.stringMatching(/^cancelled by key:/) });
    const again = await ka.post(`/api/jobs/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('INVALID_STATE');

    // a running job cannot be cancelled through the API
    const [claimed] = await queue.claim('api-test-worker', 1, 30_000);
    const conflict = await client(t.url, t.adminKey).post(`/api/jobs/${claimed!.id}/cancel`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('JOB_CLAIMED');

    const detail = await ka.get(`/api/jobs/${id}`);
    const history = detail.body.history as { event_type: string; actor: string; payload: Record<string, unknown> }[];
    expect(history.map((h) => h.event_type)).toEqual(['job.enqueued', 'job.cancelled']);
    expect(history[1]!.actor).toMatch(/^key:[0-9a-f-]{36}$/);
    expect(history[1]!.payload).toMatchObject({ status: 'cancelled', outcome: 'cancelled' });
  });

  it('answers 400 naming the field for bad input, 401 without a key, and never 500', async () => {
    const admin = client(t.url, t.adminKey);
    const cases: [string, string][] = [
      ['/api/jobs?status=bogus', 'status'],
      ['/api/jobs?limit=0', 'limit'],
      ['/api/jobs?limit=abc', 'limit'],
      ['/api/jobs?tenant_id=nope', 'tenant_id'],
      ['/api/jobs?from=yesterday', 'from'],
      ['/api/jobs?cursor=not-a-cursor', 'cursor'],
      ['/api/jobs?type=DROP%20TABLE', 'type'],
      ['/api/jobs?extra=1', 'extra'],
      ['/api/jobs/not-a-uuid', 'id'],
    ];
    for (const [path, field] of cases) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.field, path).toBe(field);
    }
    expect((await admin.post('/api/jobs/not-a-uuid/cancel')).status).toBe(400);
    expect((await admin.get(`/api/jobs/${randomUUID()}`)).status).toBe(404);
    expect((await client(t.url).get('/api/jobs')).status).toBe(401);
  });
});
