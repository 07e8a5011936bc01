import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { redactPII } from '../redaction/index.js';

export interface AuditEntry {
  tenant_id: string | null;
  event_type: string;
  entity_type?: string | null;
  entity_id?: string | null;
  actor: string;
  payload?: unknown;
  correlation_id?: string | null;
  /** The payload is already the output of redactPII (a stored event): not redacted a second time. */
  payloadRedacted?: boolean;
}

/**
 * jsonb cannot hold U+0000 nor an unpaired surrogate (the only surrogates JSON.stringify escapes):
 * one in a payload (a hostile query string, say) would fail the whole INSERT and lose every row of
 * the batch. They become U+FFFD. Only real escapes are replaced, not an escaped backslash before "u".
 */
export function jsonbSafe(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi, '$1\\ufffd');
}

/** Column arrays for `unnest`: a fixed parameter count whatever the batch size (one cached plan). */
export function auditColumns(entries: readonly AuditEntry[]): unknown[] {
  return [
    entries.map((e) => e.tenant_id),
    entries.map((e) => e.event_type),
    entries.map((e) => e.entity_type ?? null),
    entries.map((e) => e.entity_id ?? null),
    entries.map((e) => e.actor),
    entries.map((e) => jsonbSafe(JSON.stringify(e.payloadRedacted ? (e.payload ?? {}) : redactPII(e.payload ?? {})))),
    entries.map((e) => e.correlation_id ?? null),
  ];
}

/** `INSERT … SELECT FROM unnest(…)` for audit rows whose seven column arrays start at parameter `$first`. */
export function auditInsertSql(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id)
    SELECT * FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::jsonb[], ${p(6)}::text[])`;
}

/**
 * Appends rows to the append-only `audit_log`, redacting every payload first. Called inside the
 * caller's transaction so the audit row commits (or rolls back) with the change it describes.
 * The audit module seals the rows into the per-tenant hash chain afterwards.
 */
@Injectable()
export class AuditAppender {
  async append(manager: EntityManager, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(auditInsertSql(1), auditColumns(entries));
  }
}
