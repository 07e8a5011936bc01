import { createHash } from 'node:crypto';
import type { AuditRowContent } from '../audit.types.js';

/** The `prev_hash` of the first row of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted (by UTF-16 code units) and no whitespace; arrays keep their order (the legacy hashed form). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The hashed content fields, and nothing else (not seq, not the chain columns). */
export function rowContent(row: AuditRowContent): AuditRowContent {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    event_type: row.event_type,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    actor: row.actor,
    payload: row.payload,
    correlation_id: row.correlation_id,
    created_at: row.created_at,
  };
}

/**
 * A link of the chain: `sha256(prev_hash ‖ content)`, hex, where `content` is the row's
 * `audit_row_content` (PostgreSQL's `jsonb` text of the hashed fields): how `audit_seal` hashes.
 */
export function linkHash(prevHash: string, content: string): string {
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/**
 * The hash of a row sealed before migration 010, by the sealer of that time:
 * `sha256(prev_hash ‖ canonical JSON of the row's content)`, hex. The verifier still accepts it.
 */
export function legacyChainHash(prevHash: string, row: AuditRowContent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(rowContent(row))).digest('hex');
}
