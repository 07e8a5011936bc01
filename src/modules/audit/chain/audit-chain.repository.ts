import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ADVISORY_LOCKS } from '../../../common/database/advisory-lock.js';
import type { AuditChainRow, ChainKey, ChainScope } from '../audit.types.js';

/** The platform chain's key in the chain index (`coalesce(tenant_id, …)`). */
const PLATFORM = '00000000-0000-0000-0000-000000000000';
const CHAIN_KEY = `coalesce(tenant_id, '${PLATFORM}'::uuid)`;

/** `created_at` exactly as stored (microseconds, UTC): the form that is hashed. */
export const CREATED_AT_ISO = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
export const CHAIN_ROW_COLS = `id, tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id,
  ${CREATED_AT_ISO} AS created_at, chain_seq, prev_hash, hash`;

/** A chain row as the verifier reads it: the stored row, and the content its hash covers. */
export interface VerifiableChainRow extends AuditChainRow {
  /** `audit_row_content(row)`: PostgreSQL's `jsonb` text of the hashed fields (migration 010). */
  content: string;
}

/** The SQL of the hash chain: sealing (done by PostgreSQL), chain pages, counts. */
@Injectable()
export class AuditChainRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * One sealing batch in one statement (its own transaction): `audit_seal` links up to `limit` of
   * the oldest unsealed rows into their chains under the sealer's advisory lock. Answers the rows
   * sealed, or -1 when another session holds the lock and `wait` is false.
   */
  async sealBatch(limit: number, wait: boolean): Promise<number> {
    const rows: { sealed: number }[] = await this.db.query(`SELECT audit_seal($1, $2, $3) AS sealed`, [limit, ADVISORY_LOCKS.auditSealer, wait]);
    return rows[0]!.sealed;
  }

  /** The chains a scope covers that have at least one row. */
  async chainKeys(scope: ChainScope): Promise<ChainKey[]> {
    if (scope.kind === 'tenant') return [scope.tenantId];
    const rows: { tenant_id: string | null }[] = await this.db.query(
      `SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id NULLS FIRST`,
    );
    return rows.map((r) => r.tenant_id);
  }

  /** Sealed rows of one chain after `afterChainSeq`, in chain order, with their hashed content. */
  async chainPage(key: ChainKey, afterChainSeq: number, limit: number): Promise<VerifiableChainRow[]> {
    return this.db.query(
      `SELECT ${CHAIN_ROW_COLS}, audit_row_content(audit_log) AS content FROM audit_log
        WHERE ${CHAIN_KEY} = coalesce($1::uuid, '${PLATFORM}'::uuid) AND chain_seq > $2
        ORDER BY chain_seq LIMIT $3`,
      [key, afterChainSeq, limit],
    );
  }

  async countUnsealed(scope: ChainScope): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE hash IS NULL AND ($1::uuid IS NULL OR tenant_id = $1)`,
      [scope.kind === 'tenant' ? scope.tenantId : null],
    );
    return rows[0]?.n ?? 0;
  }
}
