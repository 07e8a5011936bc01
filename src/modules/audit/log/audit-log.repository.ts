import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditEntryRow } from '../audit.types.js';
import { CHAIN_ROW_COLS } from '../chain/audit-chain.repository.js';

export interface AuditFilter {
  /** undefined: every tenant and the platform (admin only). */
  tenantId?: string;
  eventType?: string;
  entityId?: string;
  /** ISO-8601 UTC, microseconds kept (`timestamptz` compares at the stored precision). */
  from?: string;
  to?: string;
  limit: number;
  /** Keyset: rows older than this one (by created_at, then seq). */
  before?: { createdAt: string; id: string };
}

/** Reads of the audit trail, newest first, by keyset (matches `audit_log_tenant_created`). */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(f: AuditFilter): Promise<AuditEntryRow[]> {
    return this.db.query(
      `SELECT seq, ${CHAIN_ROW_COLS} FROM audit_log
        WHERE ($1::uuid IS NULL OR tenant_id = $1)
          AND ($2::text IS NULL OR event_type = $2)
          AND ($3::text IS NULL OR entity_id = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
          AND ($6::timestamptz IS NULL
               OR (created_at, seq) < ($6, (SELECT c.seq FROM audit_log c WHERE c.id = $7::uuid)))
        ORDER BY created_at DESC, seq DESC
        LIMIT $8`,
      [
        f.tenantId ?? null,
        f.eventType ?? null,
        f.entityId ?? null,
        f.from ?? null,
        f.to ?? null,
        f.before?.createdAt ?? null,
        f.before?.id ?? null,
        f.limit,
      ],
    );
  }
}
