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
    const cols = 7;
    const params: unknown[] = [];
    const values: string[] = [];
    entries.forEach((e, i) => {
      const b = i * cols;
      values.push(`($${b + 1}::uuid, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::jsonb, $${b + 7})`);
      params.push(
        e.tenant_id,
        e.event_type,
        e.entity_type ?? null,
        e.entity_id ?? null,
        e.actor,
        JSON.stringify(redactPII(e.payload ?? {})),
        e.correlation_id ?? null,
      );
    });
    await manager.query(
      `INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id) VALUES ${values.join(', ')}`,
      params,
    );
  }
}
