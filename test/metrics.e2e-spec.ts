import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { parsePrometheusText, sampleValue, type Sample } from './support/prometheus-text.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { until } from './support/until.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApp({ autonomyEnabled: true, agentJobPollIntervalMs: 200 });
  tenant = await newTenant(t.url, t.adminKey);
});
afterAll(async () => {
  await t?.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[]; types: Map<string, string>; contentType: string | null }> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, contentType: res.headers.get('content-type'), ...parsePrometheusText(text) };
}

describe('GET /metrics', () => {
  it('needs no key and answers Prometheus text that parses line by line', async () => {
    const { contentType, types, samples } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(types.get('agent_jobs')).toBe('gauge');
    expect(types.get('agent_job_claim_latency_seconds')).toBe('histogram');
    expect(types.get('agent_job_duration_seconds')).toBe('histogram');
    expect(types.get('agent_policy_decisions_total')).toBe('counter');
    expect(types.get('agent_domain_events_total')).toBe('counter');
    expect(types.get('agent_http_request_duration_seconds')).toBe('histogram');
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it('the parser used here rejects what is not the exposition format', () => {
    expect(() => parsePrometheusText('# TYPE x counter\nx 1\n')).not.toThrow();
    expect(parsePrometheusText('# TYPE x gauge\nx Nan\nx{le="+Inf"} +Inf\n').samples.map((x) => x.value)).toEqual([NaN, Infinity]);
    expect(() => parsePrometheusText('x 1\n')).toThrow(/no TYPE/);
    expect(() => parsePrometheusText('# TYPE x counter\nx{a=b} 1\n')).toThrow(/not a sample/);
    expect(() => parsePrometheusText('# TYPE x counter\nx one\n')).toThrow(/not a sample/);
    expect(() => parsePrometheusText('# TYPE x counter\n# nonsense\n')).toThrow(/not a HELP or TYPE/);
  });

  it('after a booking: jobs by status and type, claim latency, job duration, policy decisions, events, HTTP latency', async () => {
    const r = await client(t.url, tenant.apiKey).post('/api/appointments', { tenant_id: tenant.id, ...slotAt(1), ...newClient() });
    expect(r.status).toBe(201);
    const got = await until('the confirmation to show in the metrics', async () => {
      const s = await scrape();
      const done = sampleValue(s.samples, 'agent_job_duration_seconds_count', { type: 'send_confirmation', result: 'completed' });
      const gauge = sampleValue(s.samples, 'agent_jobs', { status: 'completed', type: 'send_confirmation' });
      return done && gauge ? s : null;
    }, 10_000, 250);
    const v = (name: string, labels: Record<string, string>) => sampleValue(got.samples, name, labels);
    expect(v('agent_jobs', { status: 'completed', type: 'send_confirmation' })).toBe(1);
    expect(v('agent_jobs', { status: 'pending', type: 'send_reminder' })).toBe(1);
    expect(v('agent_job_claim_latency_seconds_count', { type: 'send_confirmation' })).toBeGreaterThanOrEqual(1);
    expect(v('agent_job_claim_latency_seconds_bucket', { type: 'send_confirmation', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(v('agent_job_duration_seconds_sum', { type: 'send_confirmation', result: 'completed' })).toBeGreaterThan(0);
    expect(v('agent_policy_decisions_total', { action: 'send_confirmation', effect: 'allow' })).toBeGreaterThanOrEqual(2); // scheduled, then executed
    expect(v('agent_policy_decisions_total', { action: 'auto_cancel_no_show', effect: 'deny' })).toBeGreaterThanOrEqual(1);
    expect(v('agent_domain_events_total', { type: 'BookingCreated' })).toBe(1);
    expect(v('agent_http_request_duration_seconds_count', { method: 'POST', route: '/api/appointments', status: '201' })).toBe(1);
    expect(v('agent_http_request_duration_seconds_count', { method: 'POST', route: '/api/tenants', status: '201' })).toBe(1);
  });

  it('labels HTTP latency by route pattern (never the raw path) and counts refused requests', async () => {
    const api = client(t.url, t.adminKey);
    await api.get(`/api/jobs/${crypto.randomUUID()}`);
    await api.get(`/api/jobs/${crypto.randomUUID()}`);
    await client(t.url).get('/api/jobs');
    await api.get('/no/such/route');
    const { samples } = await scrape();
    expect(sampleValue(samples, 'agent_http_request_duration_seconds_count', { method: 'GET', route: '/api/jobs/:id', status: '404' })).toBe(2);
    expect(sampleValue(samples, 'agent_http_request_duration_seconds_count', { method: 'GET', route: '/api/jobs', status: '401' })).toBe(1);
    expect(sampleValue(samples, 'agent_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.labels.route?.includes('-'))).toBe(false); // no uuid made it into a label
  });
});
