import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../../common/database/returning.js';
import type { AuditChainRow, ChainKey, ChainScope } from '../audit.types.js';

/** The platform chain's key in the chain index (`coalesce(tenant_id, …)`). */
const PLATFORM = '00000000-0000-0000-0000-000000000000';
const CHAIN_KEY = `coalesce(tenant_id, '${PLATFORM}'::uuid)`;

/** `created_at` exactly as stored (microseconds, UTC): the form that is hashed. */
export const CREATED_AT_ISO = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
export const CHAIN_ROW_COLS = `id, tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id,
  ${CREATED_AT_ISO} AS created_at, chain_seq, prev_hash, hash`;

export interface ChainHead {
  chainSeq: number;
  hash: string;
}

export interface SealedRow {
  id: string;
  chainSeq: number;
  prevHash: string;
  hash: string;
}

/** The SQL of the hash chain: unsealed rows, chain heads, the sealing UPDATE, chain pages. */
@Injectable()
export class AuditChainRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The oldest unsealed rows (in insertion order) visible to this transaction. */
  async unsealed(m: EntityManager, limit: number): Promise<AuditChainRow[]> {
    return m.query(`SELECT ${CHAIN_ROW_COLS} FROM audit_log WHERE hash IS NULL ORDER BY seq LIMIT $1`, [limit]);
  }

  /** The last sealed row of each of these chains; a chain with no sealed row is absent. */
  async heads(m: EntityManager, keys: readonly ChainKey[]): Promise<Map<ChainKey, ChainHead>> {
    const rows: { tenant_id: string; chain_seq: string; hash: string }[] = await m.query(
      `SELECT k.key AS tenant_id, h.chain_seq, h.hash
         FROM unnest($1::uuid[]) AS k(key)
         CROSS JOIN LATERAL (
           SELECT chain_seq, hash FROM audit_log
            WHERE ${CHAIN_KEY} = k.key AND chain_seq IS NOT NULL
            ORDER BY chain_seq DESC LIMIT 1) h`,
      [keys.map((k) => k ?? PLATFORM)],
    );
    return new Map(rows.map((r) => [r.tenant_id === PLATFORM ? null : r.tenant_id, { chainSeq: Number(r.chain_seq), hash: r.hash }]));
  }

  /** One UPDATE for the whole batch; the trigger allows it because only the chain columns change. */
  async seal(m: EntityManager, rows: readonly SealedRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const updated = returning<{ id: string }>(
      await m.query(
        `UPDATE audit_log a
            SET chain_seq = v.chain_seq, prev_hash = v.prev_hash, hash = v.hash
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS v(id, chain_seq, prev_hash, hash)
          WHERE a.id = v.id AND a.hash IS NULL
         RETURNING a.id`,
        [rows.map((r) => r.id), rows.map((r) => r.chainSeq), rows.map((r) => r.prevHash), rows.map((r) => r.hash)],
      ),
    );
    return updated.length;
  }

  /** The chains a scope covers that have at least one row. */
  async chainKeys(scope: ChainScope): Promise<ChainKey[]> {
    if (scope.kind === 'tenant') return [scope.tenantId];
    const rows: { tenant_id: string | null }[] = await this.db.query(
      `SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id NULLS FIRST`,
    );
    return rows.map((r) => r.tenant_id);
  }

  /** Sealed rows of one chain after `afterChainSeq`, in chain order. */
  async chainPage(key: ChainKey, afterChainSeq: number, limit: number): Promise<AuditChainRow[]> {
    return this.db.query(
      `SELECT ${CHAIN_ROW_COLS} FROM audit_log
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
