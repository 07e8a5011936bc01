import { Injectable, Logger } from '@nestjs/common';
import type { AuditChainRow, ChainKey, ChainScope } from '../audit.types.js';
import { AuditChainRepository, type VerifiableChainRow } from './audit-chain.repository.js';
import { GENESIS_HASH, legacyChainHash, linkHash } from './audit-hash.js';
import { AuditSealer } from './audit-sealer.js';

const PAGE = 5000;

export interface BrokenRow {
  id: string;
  chain_seq: number;
  tenant_id: string | null;
}

export interface VerifyResult {
  ok: boolean;
  /** Sealed rows whose link was checked (across the chains in scope). */
  checked: number;
  /** Chains looked at. */
  chains: number;
  /** The first broken row, or null. */
  broken_at: BrokenRow | null;
  /** Rows not sealed yet when the check finished (appended by transactions still committing). */
  unsealed: number;
  reason: string | null;
}

interface ChainOutcome {
  checked: number;
  broken: { row: AuditChainRow; reason: string } | null;
}

/**
 * Recomputes the hash chains: every row must follow the previous one (`chain_seq` + 1), link to it
 * (`prev_hash`) and hash to its stored `hash`: PostgreSQL renders each row's content
 * (`audit_row_content`) and this process hashes it. A changed row breaks its own hash; a deleted row
 * leaves a gap; a re-ordered row breaks the link. Reports the first broken row.
 */
@Injectable()
export class AuditVerifier {
  private readonly logger = new Logger('AuditVerifier');

  constructor(
    private readonly chain: AuditChainRepository,
    private readonly sealer: AuditSealer,
  ) {}

  async verify(scope: ChainScope): Promise<VerifyResult> {
    try {
      await this.sealer.sealPending({ wait: true });
    } catch (e) {
      // Verify what is sealed anyway; what is not shows in `unsealed`.
      this.logger.warn(`sealing before verification failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const keys = await this.chain.chainKeys(scope);
    let checked = 0;
    let first: VerifyResult['broken_at'] = null;
    let reason: string | null = null;
    for (const key of keys) {
      const outcome = await this.verifyChain(key);
      checked += outcome.checked;
      if (outcome.broken && !first) {
        const r = outcome.broken.row;
        first = { id: r.id, chain_seq: Number(r.chain_seq), tenant_id: r.tenant_id };
        reason = outcome.broken.reason;
      }
    }
    const unsealed = await this.chain.countUnsealed(scope);
    return { ok: first === null, checked, chains: keys.length, broken_at: first, unsealed, reason };
  }

  private async verifyChain(key: ChainKey): Promise<ChainOutcome> {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await this.chain.chainPage(key, expectedSeq - 1, PAGE);
      for (const row of rows) {
        const seq = Number(row.chain_seq);
        if (seq !== expectedSeq) {
          return { checked, broken: { row, reason: `chain_seq ${seq} follows ${expectedSeq - 1}: row(s) missing from the chain` } };
        }
        if (row.prev_hash !== prevHash) {
          return { checked, broken: { row, reason: `prev_hash does not match the previous row's hash: a row was removed, inserted or re-ordered` } };
        }
        if (!hashMatches(prevHash, row)) {
          return { checked, broken: { row, reason: `hash mismatch: the row's content was changed after it was sealed` } };
        }
        checked++;
        expectedSeq = seq + 1;
        prevHash = row.hash;
      }
      if (rows.length < PAGE) return { checked, broken: null };
    }
  }
}

/** The row's stored hash is the link of its current content to `prevHash` (or, for a row sealed before migration 010, the legacy form of it). */
function hashMatches(prevHash: string, row: VerifiableChainRow): row is VerifiableChainRow & { hash: string } {
  return linkHash(prevHash, row.content) === row.hash || legacyChainHash(prevHash, row) === row.hash;
}
