import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditColumns, auditInsertSql, type AuditEntry } from '../audit/audit-appender.js';
import { pgCode, pgConstraint, UNIQUE_VIOLATION } from '../database/pg-errors.js';
import { finishTransaction, lazyTransaction } from '../database/query-runner-transactions.js';
import type { DomainEvent } from './domain-events.js';

/** What a handler's work writes with: the transaction's manager, and audit rows written at its end. */
export interface HandlerScope {
  /** Opens the handler's transaction at its first statement (a handler that only audits needs none). */
  readonly manager: EntityManager;
  /** Rows written by the ledger's closing statement, together with the completion mark. */
  audit(entries: readonly AuditEntry[]): void;
}

/**
 * Makes a handler idempotent per event id: its work, its audit rows and its completion mark commit
 * together, so an event delivered again (relay, restart) is not handled twice.
 *
 * Round trips are what a handler costs on this path, so the completion mark and the audit rows are
 * one closing statement, and the transaction only opens when the work writes something else (jobs,
 * say): a handler whose work only decides and audits is a single autocommit statement. With a
 * transaction, the opening goes out with the work's first statement and the COMMIT right behind the
 * closing one (pipelined, see query-runner-transactions), so the closing statement must fail by
 * itself when another delivery already wrote the mark: it inserts the mark without ON CONFLICT, and
 * the unique violation rolls the work back.
 */
@Injectable()
export class EventHandlingLedger {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` once per (event, handler); answers false when it had already run. */
  async once(event: DomainEvent, handler: string, work: (manager: EntityManager, scope: HandlerScope) => Promise<void>): Promise<boolean> {
    const qr = this.db.createQueryRunner();
    const tx = lazyTransaction(qr);
    const audits: AuditEntry[] = [];
    const scope: HandlerScope = { manager: qr.manager, audit: (entries) => void audits.push(...entries) };
    let first = false;
    const closing = async (): Promise<void> => {
      const inTx = tx.started();
      // in the transaction when the work opened one; otherwise on its own (one statement is atomic)
      const rows: { n: number }[] = await (inTx ? qr.query.bind(qr) : tx.direct)(
        `WITH h AS (INSERT INTO domain_event_handlings (event_id, handler) VALUES ($1, $2) ${inTx ? '' : 'ON CONFLICT DO NOTHING'} RETURNING event_id)
         ${audits.length > 0 ? `, a AS (${auditInsertSql(3)} WHERE EXISTS (SELECT 1 FROM h))` : ''}
         SELECT count(*)::int AS n FROM h`,
        audits.length > 0 ? [event.id, handler, ...auditColumns(audits)] : [event.id, handler],
      );
      first = rows[0]!.n === 1;
    };
    try {
      await finishTransaction(qr, () => work(qr.manager, scope), closing);
      return first;
    } catch (e) {
      // another delivery wrote the mark first: this one's work was rolled back with the mark
      if (pgCode(e) === UNIQUE_VIOLATION && pgConstraint(e) === 'domain_event_handlings_pkey') return false;
      throw e;
    }
  }
}
