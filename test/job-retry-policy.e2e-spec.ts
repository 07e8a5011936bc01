import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** `POST /api/jobs/:id/retry` runs a job again only if the policy engine allows the job's action now. */
let t: TestApp;
let queue: JobQueue;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  t = await startTestApp({ role: 'api', autonomyEnabled: true });
  queue = t.app.get(JobQueue);
  tenant = await newTenant(t.url, t.adminKey);
  other = await newTenant(t.url, t.adminKey);
});
afterAll(async () => {
  await t?.close();
});

/** A cancelled job (retryable) of `type` for `tenantId`. */
async function cancelledJob(type: string, tenantId: string, appointmentId?: string): Promise<string> {
  const { job } = await queue.enqueue(type, tenantId, { k: randomUUID() }, appointmentId ? { appointmentId } : {});
  await queue.cancel(job!.id);
  return job!.id;
}

const retry = (id: string, key = tenant.apiKey) => client(t.url, key).post(`/api/jobs/${id}/retry`);

describe('retry is gated by the policy engine', () => {
  it('allows a job whose action the policy allows (send_reminder): the job is pending again', async () => {
    const id = await cancelledJob('send_reminder', tenant.id);
    const r = await retry(id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'pending', attempts: 0 });
  });

  it("denies a job whose action the policy denies (send_follow_up, default deny): 403 POLICY_DENIED with the decision, the job untouched", async () => {
    const appointment = randomUUID();
    const id = await cancelledJob('send_follow_up', tenant.id, appointment);
    const r = await retry(id);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('POLICY_DENIED');
    expect(r.body.details.decision).toMatchObject({ action: 'send_follow_up', tenant_id: tenant.id, effect: 'deny' });
    expect((await queue.get(id)).status).toBe('cancelled');
    // the decision is audited, about the job's appointment, with the caller as actor
    const decisions = async () => (await client(t.url, t.adminKey).get(`/api/audit?tenant_id=${tenant.id}&event_type=policy.decision&entity_id=${appointment}`)).body.items;
    await expect.poll(async () => (await decisions()).length).toBe(1);
    expect((await decisions())[0]).toMatchObject({ actor: expect.stringMatching(/^key:/), payload: { action: 'send_follow_up', effect: 'deny' } });
  });

  it("follows the tenant's own rules: a tenant deny rule on send_reminder blocks its retries, not another tenant's", async () => {
    const mine = await cancelledJob('send_reminder', tenant.id);
    const theirs = await cancelledJob('send_reminder', other.id);
    expect((await client(t.url, tenant.apiKey).post('/api/policy-rules', { action: 'send_reminder', effect: 'deny', priority: 10 })).status).toBe(201);
    expect((await retry(mine)).status).toBe(403);
    expect((await retry(theirs, other.apiKey)).status).toBe(200);
  });

  it('denies while the runtime toggle is off for the tenant (kill switch)', async () => {
    const id = await cancelledJob('send_cancellation_notice', other.id);
    expect((await client(t.url, other.apiKey).put('/api/autonomy', { mode: 'off' })).status).toBe(200);
    const r = await retry(id, other.apiKey);
    expect(r.status).toBe(403);
    expect(r.body.details.decision.basis).toBe('kill_switch');
    expect((await client(t.url, other.apiKey).put('/api/autonomy', { mode: 'on' })).status).toBe(200);
    expect((await retry(id, other.apiKey)).status).toBe(200);
  });

  it('denies a job type that is no policy action at all (the admin included)', async () => {
    const id = await cancelledJob('made_up_action', tenant.id);
    const r = await retry(id, t.adminKey);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('POLICY_DENIED');
  });

  it("answers 404 for another tenant's job and an unknown id, 400 for a malformed one, before any decision", async () => {
    const theirs = await cancelledJob('send_reminder', other.id);
    expect((await retry(theirs)).status).toBe(404);
    expect((await retry(randomUUID())).status).toBe(404);
    const bad = await retry('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
  });
});
