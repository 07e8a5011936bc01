import type { AuditEntry } from '../../../common/audit/audit-appender.js';
import type { Principal } from '../../../common/auth/principal.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const REQUEST_AUDIT_EVENT = 'api.request';

/**
 * "Admin API request": every mutating request under /api from any key, plus every request made
 * with the admin key. GETs by tenant keys are not audited (reads are too many to be worth it).
 */
export function shouldAuditRequest(method: string, path: string, principal: Principal | undefined): boolean {
  if (path !== '/api' && !path.startsWith('/api/')) return false;
  return MUTATING.has(method.toUpperCase()) || principal?.kind === 'admin';
}

export interface RequestAuditFacts {
  method: string;
  /** The route pattern (`/api/appointments/:id/cancel`), never the raw URL. */
  route: string;
  handler: string;
  principal: Principal | undefined;
  correlationId: string | null;
  status: number;
  durationMs: number;
  params: unknown;
  query: unknown;
  body: unknown;
  /** The error code of a failed request (AppException code, or the error's name). */
  errorCode?: string;
  /** The `id` of the object a successful request answered with (e.g. the appointment it created). */
  responseId?: string;
  aborted?: boolean;
}

function field(source: unknown, key: string): unknown {
  return source && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>)[key] : undefined;
}

function uuidOrNull(v: unknown): string | null {
  return typeof v === 'string' && UUID.test(v) ? v : null;
}

/** The principal's tenant, else the tenant_id the request named (body, then query) if it is a uuid. */
export function requestTenant(f: Pick<RequestAuditFacts, 'principal' | 'body' | 'query'>): string | null {
  if (f.principal?.kind === 'tenant') return f.principal.tenantId;
  return uuidOrNull(field(f.body, 'tenant_id')) ?? uuidOrNull(field(f.query, 'tenant_id'));
}

/** `/api/appointments/:id/cancel` → `appointments`. */
function resourceOf(route: string): string | null {
  const segment = route.split('/').filter(Boolean)[1];
  return segment && !segment.startsWith(':') ? segment : null;
}

/**
 * The audit row of one request. Body, params and query are passed as received: the AuditAppender
 * redacts every payload (once) when it writes the row. Headers are never recorded.
 */
export function requestAuditEntry(f: RequestAuditFacts): AuditEntry {
  const paramId = field(f.params, 'id');
  const payload: Record<string, unknown> = {
    method: f.method.toUpperCase(),
    route: f.route,
    handler: f.handler,
    status: f.status,
    duration_ms: Math.round(f.durationMs * 10) / 10,
    params: f.params ?? {},
    query: f.query ?? {},
    // not `body`: that key is a PII key for redactPII, which would blank the whole subtree
    request_body: f.body ?? null,
  };
  if (f.errorCode) payload.error = f.errorCode;
  if (f.aborted) payload.aborted = true;
  return {
    tenant_id: requestTenant(f),
    event_type: REQUEST_AUDIT_EVENT,
    entity_type: resourceOf(f.route),
    // entity_id is stored as is (only the payload is redacted): a uuid, or nothing
    entity_id: uuidOrNull(paramId) ?? f.responseId ?? null,
    actor: f.principal?.actor ?? 'anonymous',
    payload,
    correlation_id: f.correlationId,
  };
}
