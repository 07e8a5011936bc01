import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Rate limiting (429), security headers (helmet), the body size limit (413), CORS off unless configured. */
let limited: TestApp;
let cors: TestApp;

beforeAll(async () => {
  limited = await startTestApp({ role: 'api', rateLimitPerMinute: 5, bodyLimitBytes: 2048 });
  cors = await startTestApp({ role: 'api', corsOrigins: ['https://ops.example.com'] }, limited.db);
});
afterAll(async () => {
  await cors?.close();
  await limited?.close();
});

describe('rate limiting', () => {
  it('answers 429 in the project’s error shape once a client is over RATE_LIMIT_PER_MINUTE, with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await fetch(`${limited.url}/api/autonomy`, { headers: { authorization: `Bearer ${limited.adminKey}` } });
      statuses.push(last.status);
      if (i < 6) await last.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last!.json()).toEqual({ statusCode: 429, error: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/limit is 5 a minute/) });
  });

  it('exempts health, metrics and the dashboard', async () => {
    for (const path of ['/health', '/metrics', '/', '/dashboard/app.js', '/health', '/metrics']) {
      expect((await fetch(`${limited.url}${path}`)).status, path).toBe(200);
    }
    expect((await client(limited.url, limited.adminKey).get('/api/jobs')).status).toBe(429);
  });

  it('counts per process: another instance still serves the client', async () => {
    expect((await client(cors.url, cors.adminKey).get('/api/autonomy')).status).toBe(200);
  });
});

describe('security headers', () => {
  it('sets helmet’s headers on the API, the dashboard and the docs, with a CSP that allows only this origin', async () => {
    for (const path of ['/api/autonomy', '/', '/docs', '/health']) {
      const res = await fetch(`${cors.url}${path}`, { headers: { authorization: `Bearer ${cors.adminKey}` } });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("connect-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});

describe('body size limit', () => {
  it('answers 413 PAYLOAD_TOO_LARGE for a body over BODY_LIMIT_BYTES', async () => {
    const res = await fetch(`${cors.url}/api/policy-rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cors.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'send_reminder', effect: 'allow', description: 'x'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('CORS', () => {
  it('is off unless CORS_ORIGINS is set: no Access-Control-Allow-Origin, not even on a preflight', async () => {
    const simple = await fetch(`${limited.url}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${limited.url}/api/autonomy`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with CORS_ORIGINS, allows exactly those origins', async () => {
    const allowed = await fetch(`${cors.url}/api/autonomy`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
    });
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    const other = await fetch(`${cors.url}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
