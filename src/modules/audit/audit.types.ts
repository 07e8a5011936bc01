/** The hashed content of an audit row: every field a tamperer could change. */
export interface AuditRowContent {
  id: string;
  tenant_id: string | null;
  event_type: string;
  entity_type: string | null;
  entity_id: string | null;
  actor: string;
  payload: unknown;
  correlation_id: string | null;
  /** ISO-8601 UTC with microseconds, exactly as stored (`2031-07-07T08:00:00.123456Z`). */
  created_at: string;
}

/** A row as read for sealing or verifying. */
export interface AuditChainRow extends AuditRowContent {
  chain_seq: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** A row as listed by `GET /api/audit`. */
export interface AuditEntryRow extends AuditChainRow {
  seq: string;
}

/** A tenant's chain: tenant_id NULL is the platform chain. */
export type ChainKey = string | null;

/** Which chains a request may see: one tenant's, or (admin) every chain. */
export type ChainScope = { kind: 'all' } | { kind: 'tenant'; tenantId: string };
