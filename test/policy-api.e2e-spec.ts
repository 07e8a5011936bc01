import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let a1: TestApp;
let a2: TestApp;
let ta: TestTenant;
let tb: TestTenant;
beforeAll(async () => {
  a1 = await startTestApp({ autonomyEnabled: true });
  // a second instance on the same database
  a2 = await startTestApp({ autonomyEnabled: true }, a1.db);
  ta = await newTenant(a1.url, a1.adminKey);
  tb = await newTenant(a1.url, a1.adminKey);
});
afterAll(async () => {
  await a2?.close();
  await a1?.close();
  await a1?.db.drop();
});

const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

describe('policy rules API', () => {
  it('seeds the five global defaults once (idempotent across instances)', async () => {
    const r = await client(a1.url, a1.adminKey).get('/api/policy-rules');
    const defaults = r.body.items.filter((x: { tenant_id: string | null; is_default: boolean }) => x.tenant_id === null && x.is_default);
    const byAction = Object.fromEntries(defaults.map((x: { action: string; effect: string }) => [x.action, x.effect]));
    expect(byAction).toMatchObject({ send_confirmation: 'allow', send_reminder: 'allow', auto_cancel_no_show: 'deny', send_follow_up: 'deny', retry_calendar_sync: 'allow' });
    expect(defaults.filter((x: { action: string }) => x.action === 'send_reminder')).toHaveLength(1);
  });

  it('dry run explains the decision: global default, then a tenant rule with a lead-time condition', async () => {
    const api = client(a1.url, ta.apiKey);
    const d1 = await api.post('/api/policy-rules/evaluate', { action: 'send_follow_up', context: { appointment_start: inHours(48) } });
    expect(d1.status).toBe(200);
    expect(d1.body).toMatchObject({ effect: 'deny', basis: 'rule' });
    const created = await api.post('/api/policy-rules', { action: 'send_follow_up', effect: 'allow', priority: 10, conditions: { min_lead_time_minutes: 60 } });
    expect(created.status).toBe(201);
    expect(created.body.tenant_id).toBe(ta.id);
    const allowed = await api.post('/api/policy-rules/evaluate', { action: 'send_follow_up', context: { appointment_start: inHours(2) } });
    expect(allowed.body).toMatchObject({ effect: 'allow', basis: 'rule', rule_id: created.body.id });
    const tooSoon = await api.post('/api/policy-rules/evaluate', { action: 'send_follow_up', context: { appointment_start: inHours(0.5) } });
    expect(tooSoon.body.effect).toBe('deny');
    expect(tooSoon.body.rule_id).not.toBe(created.body.id); // the tenant rule did not match; the global deny wins
    // tenant B is not affected by A's rule
    const other = await client(a1.url, tb.apiKey).post('/api/policy-rules/evaluate', { action: 'send_follow_up', context: { appointment_start: inHours(2) } });
    expect(other.body.effect).toBe('deny');
  });

  it('refuses unknown or ill-typed conditions (400 naming the field) and unknown actions', async () => {
    const api = client(a1.url, ta.apiKey);
    const unknown = await api.post('/api/policy-rules', { action: 'send_reminder', effect: 'allow', conditions: { rm_rf: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toContain('conditions');
    const illTyped = await api.post('/api/policy-rules', { action: 'send_reminder', effect: 'allow', conditions: { min_lead_time_minutes: 'soon' } });
    expect(illTyped.status).toBe(400);
    const proto = await api.post('/api/policy-rules', { action: 'send_reminder', effect: 'allow', conditions: JSON.parse('{"__proto__": {"x": 1}}') });
    expect(proto.status).toBe(400);
    const action = await api.post('/api/policy-rules', { action: 'launch_missiles', effect: 'allow' });
    expect([action.status, action.body.field]).toEqual([400, 'action']);
  });

  it('an invalid rule found in the database counts as deny (invalid_rule)', async () => {
    const sql = new pg.Client({ connectionString: a1.db.url });
    await sql.connect();
    await sql.query(`INSERT INTO policy_rules (tenant_id, action, effect, conditions, priority) VALUES ($1, 'send_confirmation', 'allow', '{"bogus": 1}', 100)`, [tb.id]);
    await sql.query(`SELECT pg_notify('policy_rules_changed', $1)`, [JSON.stringify({ tenant_id: tb.id, action: 'send_confirmation' })]);
    await sql.end();
    const d = await client(a1.url, tb.apiKey).post('/api/policy-rules/evaluate', { action: 'send_confirmation', context: {} });
    expect(d.body).toMatchObject({ effect: 'deny', basis: 'invalid_rule' });
  });

  it('tenant keys touch only their own rules; global rules are the admin’s', async () => {
    const admin = client(a1.url, a1.adminKey);
    const global = (await admin.get('/api/policy-rules')).body.items.find((x: { tenant_id: string | null }) => x.tenant_id === null);
    expect((await client(a1.url, ta.apiKey).patch(`/api/policy-rules/${global.id}`, { effect: 'deny' })).status).toBe(403);
    const own = await client(a1.url, tb.apiKey).post('/api/policy-rules', { action: 'send_reminder', effect: 'deny', priority: 1 });
    expect((await client(a1.url, ta.apiKey).delete(`/api/policy-rules/${own.body.id}`)).status).toBe(404);
    expect((await client(a1.url, ta.apiKey).post('/api/policy-rules', { tenant_id: tb.id, action: 'send_reminder', effect: 'allow' })).status).toBe(404);
    const listA = await client(a1.url, ta.apiKey).get('/api/policy-rules');
    expect(listA.body.items.some((x: { id: string }) => x.id === own.body.id)).toBe(false);
    expect((await client(a1.url, tb.apiKey).delete(`/api/policy-rules/${own.body.id}`)).status).toBe(204);
  });

  it('answers warnings when a rule is shadowed or ties, and lists them in /analysis', async () => {
    const api = client(a1.url, ta.apiKey);
    await api.post('/api/policy-rules', { action: 'send_reminder', effect: 'deny', priority: 50 });
    const shadowed = await api.post('/api/policy-rules', { action: 'send_reminder', effect: 'allow', priority: 10 });
    expect(shadowed.status).toBe(201);
    expect(shadowed.body.warnings.map((w: { kind: string }) => w.kind)).toContain('shadowed');
    await api.post('/api/policy-rules', { action: 'send_cancellation_notice', effect: 'deny', priority: 70, conditions: { channels: ['email'] } });
    const tie = await api.post('/api/policy-rules', { action: 'send_cancellation_notice', effect: 'allow', priority: 70, conditions: { channels: ['email', 'sms'] } });
    expect(tie.body.warnings.map((w: { kind: string }) => w.kind)).toContain('allow_deny_tie');
    const analysis = await api.get('/api/policy-rules/analysis');
    expect(analysis.body.warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('a rule changed through instance A is honoured by instance B within 1 second', async () => {
    const tenant = await newTenant(a1.url, a1.adminKey);
    const onB = client(a2.url, tenant.apiKey);
    const ctx = { action: 'send_confirmation', context: {} };
    expect((await onB.post('/api/policy-rules/evaluate', ctx)).body.effect).toBe('allow'); // warms B's cache
    const rule = await client(a1.url, tenant.apiKey).post('/api/policy-rules', { action: 'send_confirmation', effect: 'deny', priority: 5 });
    expect(rule.status).toBe(201);
    const t0 = Date.now();
    let effect = 'allow';
    while (Date.now() - t0 < 1000) {
      effect = (await onB.post('/api/policy-rules/evaluate', ctx)).body.effect;
      if (effect === 'deny') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(effect).toBe('deny');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('every decision is audit-logged, redacted', async () => {
    await client(a1.url, ta.apiKey).post('/api/policy-rules/evaluate', { action: 'send_reminder', context: { recipient: 'someone.secret@example.org', channel: 'email' } });
    await new Promise((r) => setTimeout(r, 200));
    const sql = new pg.Client({ connectionString: a1.db.url });
    await sql.connect();
    const rows = await sql.query(`SELECT payload::text AS p FROM audit_log WHERE event_type = 'policy.dry_run' AND tenant_id = $1`, [ta.id]);
    await sql.end();
    expect(rows.rowCount).toBeGreaterThan(0);
    expect(rows.rows.some((r) => r.p.includes('someone.secret'))).toBe(false);
  });
});
