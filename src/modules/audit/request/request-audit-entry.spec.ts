import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../common/auth/principal.js';
import { requestAuditEntry, requestTenant, shouldAuditRequest } from './request-audit-entry.js';

const admin: Principal = { kind: 'admin', actor: 'admin' };
const tenantKey: Principal = { kind: 'tenant', tenantId: '11111111-1111-4111-8111-111111111111', keyId: 'k', actor: 'key:k' };
const OTHER = '22222222-2222-4222-8222-222222222222';

describe('shouldAuditRequest', () => {
  it('audits every mutating /api request, whoever makes it', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(shouldAuditRequest(m, '/api/appointments', tenantKey)).toBe(true);
      expect(shouldAuditRequest(m, '/api/appointments', undefined)).toBe(true);
    }
  });

  it("audits the admin's reads but not a tenant key's", () => {
    expect(shouldAuditRequest('GET', '/api/audit', admin)).toBe(true);
    expect(shouldAuditRequest('GET', '/api/audit', tenantKey)).toBe(false);
    expect(shouldAuditRequest('HEAD', '/api/appointments', tenantKey)).toBe(false);
  });

  it('ignores routes outside /api', () => {
    expect(shouldAuditRequest('GET', '/health', admin)).toBe(false);
    expect(shouldAuditRequest('POST', '/apiary', admin)).toBe(false);
    expect(shouldAuditRequest('GET', '/docs', admin)).toBe(false);
  });
});

describe('requestTenant', () => {
  it("is the principal's tenant for a tenant key, whatever the request names", () => {
    expect(requestTenant({ principal: tenantKey, body: { tenant_id: OTHER }, query: {} })).toBe(tenantKey.tenantId);
  });

  it('for the admin, the body or query tenant_id when it is a uuid, else the platform (null)', () => {
    expect(requestTenant({ principal: admin, body: { tenant_id: OTHER }, query: {} })).toBe(OTHER);
    expect(requestTenant({ principal: admin, body: undefined, query: { tenant_id: OTHER } })).toBe(OTHER);
    expect(requestTenant({ principal: admin, body: { tenant_id: 'zoe@example.com' }, query: {} })).toBeNull();
    expect(requestTenant({ principal: admin, body: [{ tenant_id: OTHER }], query: {} })).toBeNull();
  });
});

describe('requestAuditEntry', () => {
  const base = {
    method: 'post',
    route: '/api/appointments/:id/cancel',
    handler: 'AppointmentsController.cancel',
    principal: tenantKey,
    correlationId: 'c-1',
    status: 409,
    durationMs: 12.345,
    params: { id: OTHER },
    query: {},
    body: undefined,
    errorCode: 'INVALID_STATE',
  };

  it('records route, method, status, rounded duration and error, about the entity the route names', () => {
    const e = requestAuditEntry(base);
    expect(e).toMatchObject({ tenant_id: tenantKey.tenantId, event_type: 'api.request', entity_type: 'appointments', entity_id: OTHER, actor: 'key:k', correlation_id: 'c-1' });
    expect(e.payload).toEqual({ method: 'POST', route: base.route, handler: base.handler, status: 409, duration_ms: 12.3, params: { id: OTHER }, query: {}, request_body: null, error: 'INVALID_STATE' });
  });

  it('never puts a non-uuid path parameter into entity_id (it is stored unredacted)', () => {
    expect(requestAuditEntry({ ...base, params: { id: 'zoe@example.com' } }).entity_id).toBeNull();
    expect(requestAuditEntry({ ...base, params: { id: 'zoe@example.com' }, responseId: OTHER }).entity_id).toBe(OTHER);
  });

  it('is anonymous without a principal', () => {
    expect(requestAuditEntry({ ...base, principal: undefined }).actor).toBe('anonymous');
  });
});
