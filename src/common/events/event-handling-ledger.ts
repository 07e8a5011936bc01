import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditColumns, auditInsertSql, type AuditEntry } from '../audit/audit-appender.js';
import { finishTransaction, lazyTransaction } from '../database/query-runner-transactions.js';
import type { DomainEvent } from './domain-events.js';

/** What a handler's work writes with: the transaction's manager, and audit rows written at its end. */
export interface HandlerScope {
  /** Opens the handler's transaction at its first statement (a handler that only audits needs none). */
  readonly manager: EntityManager;
  /** Rows written by the ledger's closing statement, together with the completion mark. */
  audit(entries: readonly AuditEntry[]): void;
}

/** Thrown inside the transaction to roll back work whose event another delivery already handled. */
class AlreadyHandled extends Error {}

/**
 * Makes a handler idempotent per event id: its work, its audit rows and its completion mark commit
 * together, so an event delivered again (relay, restart) is not handled twice.
 *
 * Round trips are what a handler costs on this path, so the completion mark and the audit rows are
 * one closing statement, and the transaction only opens when the work writes something else (jobs,
 * say): a handler whose work only decides and audits is a single autocommit statement. The mark is
 * written last; when another delivery already wrote it, the closing statement inserts nothing and
 * the work (if any) is rolled back.
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
    try {
      return await finishTransaction(qr, async () => {
        await work(qr.manager, scope);
        // in the transaction when the work opened one; otherwise on its own (one statement is atomic)
        const rows: { n: number }[] = await (tx.started() ? qr.query.bind(qr) : tx.direct)(
          `WITH h AS (INSERT INTO domain_event_handlings (event_id, handler) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id)
           ${audits.length > 0 ? `, a AS (${auditInsertSql(3)} WHERE EXISTS (SELECT 1 FROM h))` : ''}
           SELECT count(*)::int AS n FROM h`,
          audits.length > 0 ? [event.id, handler, ...auditColumns(audits)] : [event.id, handler],
        );
        const first = rows[0]!.n === 1;
        if (!first && tx.started()) throw new AlreadyHandled();
        return first;
      });
    } catch (e) {
      if (e instanceof AlreadyHandled) return false;
      throw e;
    }
  }
}
