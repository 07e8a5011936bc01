import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { auditColumns, type AuditEntry } from '../../common/audit/audit-appender.js';
import { ASYNC_COMMIT_CTE, runsAlone } from '../../common/database/async-commit.js';
import { directQuery } from '../../common/database/direct-query.js';
import { returning } from '../../common/database/returning.js';
import { isoJson } from '../../common/database/sql-timestamps.js';
import type { Job, JobClaim, JobCompletion, JobStatus } from './job.types.js';

export const JOB_COLS = `id, tenant_id, type, payload, status, priority, run_at, claimed_at, completed_at, attempts, max_attempts,
  last_error, created_at, updated_at, dedupe_key, worker_id, lock_expires_at, appointment_id, appointment_version, outcome,
  outcome_reason, shadow, correlation_id`;
const J_COLS = JOB_COLS.split(',').map((c) => `j.${c.trim()}`).join(', ');
/** The INSERT of `insertMany` (15 parameters, `insertParams`), without its RETURNING. */
const JOB_INSERT = `INSERT INTO jobs (id, tenant_id, type, payload, priority, run_at, max_attempts, dedupe_key, appointment_id,
                         appointment_version, shadow, correlation_id, status, attempts, worker_id, claimed_at, lock_expires_at)
       SELECT id, tenant_id, type, payload, priority, coalesce(run_at, now()), max_attempts, dedupe_key, appointment_id,
              appointment_version, shadow, correlation_id,
              CASE WHEN claim THEN 'claimed' ELSE 'pending' END, CASE WHEN claim THEN 1 ELSE 0 END,
              CASE WHEN claim THEN $14::text END, CASE WHEN claim THEN now() END,
              CASE WHEN claim THEN now() + make_interval(secs => $15::double precision / 1000) END
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::int[], $6::timestamptz[], $7::int[], $8::text[],
                     $9::uuid[], $10::int[], $11::bool[], $12::text[], $13::bool[])
              AS u(id, tenant_id, type, payload, priority, run_at, max_attempts, dedupe_key, appointment_id,
                   appointment_version, shadow, correlation_id, claim)
       ON CONFLICT DO NOTHING`;
/** In a failing UPDATE: this failure is the job's last. */
const FINAL = '(t.permanent OR j.attempts >= j.max_attempts)';

export interface JobInsert {
  id: string;
  tenant_id: string | null;
  type: string;
  payload: string;
  priority: number;
  run_at: Date | null;
  max_attempts: number;
  dedupe_key: string | null;
  appointment_id: string | null;
  appointment_version: number | null;
  shadow: boolean;
  correlation_id: string | null;
  /** Inserted already claimed by the local runner (see insertMany's `claimFor`). */
  claim?: boolean;
}

/** Audit rows of jobs about to be inserted (`insertAudited`): `entries[i]` belongs to the job `jobIds[i]`. */
export interface PlannedAudit {
  entries: readonly AuditEntry[];
  jobIds: readonly string[];
  /** What the INSERT fills in: a `run_at` that defaulted to now(), a handed-over job's lease end. */
  patch: readonly ('run_at' | 'lock_expires_at' | null)[];
}

export interface JobFailureRow extends JobClaim {
  error: string;
  permanent: boolean;
  delay_ms: number;
}

export interface JobListFilter {
  tenantId?: string;
  status?: JobStatus;
  type?: string;
  appointmentId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  after?: { createdAt: string; id: string };
}

export interface AuditRow {
  id: string;
  event_type: string;
  actor: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  created_at: Date;
}

/** Who a transition's audit rows name as actor, when the statement writes them itself. */
export interface JobAuditSpec {
  actor: string;
}

export interface JobWriteOptions {
  /**
   * Commit without waiting for the WAL flush (see ASYNC_COMMIT_CTE); honoured only when the
   * statement runs on its own, never inside a caller's transaction.
   */
  asyncCommit?: boolean;
}

/**
 * The audit rows of a transition, written by the statement that makes it (one round trip, not a
 * transaction of three): a CTE over the changed rows \`u\`, the same rows and payload keys as
 * \`jobAudit\`. Job rows hold ids and already-redacted reasons, never PII, so nothing here needs the
 * JavaScript redactor; \`$actor\` is the worker's name.
 */
function auditCte(eventType: string, extraPayload: string, actorParam: number, after?: string): string {
  return `, a AS (
         INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id)
         SELECT u.tenant_id, ${eventType}, 'job', u.id::text, $${actorParam}::text,
                jsonb_build_object('type', u.type, 'status', u.status, 'attempts', u.attempts, ${extraPayload}), u.correlation_id
           FROM u${after ? ` WHERE (SELECT count(*) FROM ${after}) >= 0` : ''})`;
}

/**
 * The audit rows of the runs being completed (JobCompletion.audit), as `unnest` arrays: the seven
 * audit columns (redacted by `auditColumns`) and the job each row belongs to.
 */
function runAuditArrays(items: readonly JobCompletion[]): unknown[] {
  const entries: AuditEntry[] = [];
  const jobIds: string[] = [];
  for (const i of items) {
    for (const e of i.audit ?? []) {
      entries.push(e);
      jobIds.push(i.id);
    }
  }
  return [...auditColumns(entries), jobIds];
}

function claimArrays(claims: readonly JobClaim[]): [string[], number[]] {
  return [claims.map((c) => c.id), claims.map((c) => c.attempt)];
}

/**
 * The queue's SQL, written by hand. Every state change of a claimed job is fenced by
 * (worker_id, attempts): a worker whose lease was lost cannot complete, fail or extend a job that
 * has since been reclaimed, even if it claims the same job again. The fenced statements test
 * `lock_expires_at IS NOT NULL` (which a CHECK makes equivalent to status = 'claimed') and
 * `id = ANY($1)`: with the status, the planner, trusting statistics taken while few jobs were
 * claimed, drives them from the partial index of claimed jobs and scans all of them per batch row.
 */
@Injectable()
export class JobRepository {
  /**
   * Inserts jobs; a dedupe key already held by a pending or claimed job makes that row a no-op.
   * Rows with `claim` set are inserted already claimed by `claimFor` (attempt 1, leased): the local
   * runner takes them from the INSERT itself (see JobSignal.handOver).
   */
  async insertMany(m: EntityManager, rows: readonly JobInsert[], claimFor?: { workerId: string; leaseMs: number }): Promise<Job[]> {
    return m.query(`${JOB_INSERT} RETURNING ${JOB_COLS}`, insertParams(rows, claimFor));
  }

  /**
   * `insertMany`, the audit rows of what it inserted and the wake-up of other processes' runners,
   * in one statement (atomic on its own, so it needs no transaction). `audit.entries[i]` (redacted
   * by `auditColumns`) belongs to the job `audit.jobIds[i]` and is written only if this statement
   * inserted that job, in the order given, with `audit.patch[i]` filled in from the inserted row
   * (`run_at` when it defaulted to now(), a handed-over job's `lock_expires_at`). With `notify`,
   * one NOTIFY on `channel` carrying it, if a pending job was inserted.
   */
  async insertAudited(
    m: EntityManager,
    rows: readonly JobInsert[],
    claimFor: { workerId: string; leaseMs: number } | undefined,
    audit: PlannedAudit,
    notify: { channel: string; payload: string } | null,
  ): Promise<Job[]> {
    return m.query(
      `WITH ins AS (${JOB_INSERT} RETURNING ${JOB_COLS}),
       ${notify ? `ntf AS (SELECT pg_notify('${notify.channel}', $25::text) FROM ins WHERE ins.status = 'pending' LIMIT 1),` : ''}
       aud AS (
         INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id)
         SELECT a.tenant_id, a.event_type, a.entity_type, a.entity_id, a.actor,
                CASE a.patch
                  WHEN 'run_at' THEN a.payload || jsonb_build_object('run_at', ${isoJson('ins.run_at')})
                  WHEN 'lock_expires_at' THEN a.payload || jsonb_build_object('lock_expires_at', ${isoJson('ins.lock_expires_at')})
                  ELSE a.payload END,
                a.correlation_id
           FROM unnest($16::uuid[], $17::text[], $18::text[], $19::text[], $20::text[], $21::jsonb[], $22::text[], $23::uuid[], $24::text[])
                WITH ORDINALITY AS a(tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id, job_id, patch, ord)
           JOIN ins ON ins.id = a.job_id
          ${notify ? 'WHERE (SELECT count(*) FROM ntf) >= 0' : ''}
          ORDER BY a.ord)
       SELECT ${JOB_COLS} FROM ins`,
      [...insertParams(rows, claimFor), ...auditColumns(audit.entries), audit.jobIds, audit.patch, ...(notify ? [notify.payload] : [])],
    );
  }

  async findActiveByDedupeKeys(m: EntityManager, keys: readonly string[]): Promise<Job[]> {
    return m.query(`SELECT ${JOB_COLS} FROM jobs WHERE dedupe_key = ANY($1::text[]) AND status IN ('pending', 'claimed')`, [keys]);
  }

  /**
   * Claims up to `limit` due jobs, highest priority first, then oldest run_at. The MATERIALIZED CTE
   * makes the LIMIT bind: an `IN (subquery)` may be re-evaluated and claim more rows than asked.
   */
  async claim(m: EntityManager, workerId: string, limit: number, leaseMs: number, audit?: JobAuditSpec, opts: JobWriteOptions = {}): Promise<Job[]> {
    const async = opts.asyncCommit === true && runsAlone(m);
    return directQuery<Job>(
      m,
        `WITH ${async ? `${ASYNC_COMMIT_CTE},` : ''} c AS MATERIALIZED (
            SELECT id FROM jobs
             WHERE status = 'pending' AND run_at <= now()
             ORDER BY priority DESC, run_at, id
             LIMIT $1
             FOR UPDATE SKIP LOCKED),
         u AS (
         UPDATE jobs j
            SET status = 'claimed', claimed_at = now(), worker_id = $2, attempts = j.attempts + 1,
                lock_expires_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
           FROM c
          WHERE j.id = c.id
         RETURNING ${J_COLS})
         ${audit ? auditCte(`'job.claimed'`, `'worker_id', u.worker_id, 'lock_expires_at', ${isoJson('u.lock_expires_at')}`, 4) : ''}
         SELECT u.* FROM u ${async ? 'CROSS JOIN async_commit' : ''}`,
      audit ? [limit, workerId, leaseMs, audit.actor] : [limit, workerId, leaseMs],
    );
  }

  /** Records outcomes of claims still held by `workerId`; a claim it lost is left alone. */
  async complete(m: EntityManager, workerId: string, items: readonly JobCompletion[], audit?: JobAuditSpec, opts: JobWriteOptions = {}): Promise<Job[]> {
    const async = opts.asyncCommit === true && runsAlone(m);
    const [ids, attempts] = claimArrays(items);
    const params: unknown[] = [ids, attempts, items.map((i) => i.outcome), items.map((i) => i.reason ?? null), workerId];
    if (audit) params.push(audit.actor, ...runAuditArrays(items));
    return directQuery<Job>(
      m,
        `WITH ${async ? `${ASYNC_COMMIT_CTE},` : ''} u AS (
         UPDATE jobs j
            SET status = CASE WHEN t.outcome = 'cancelled' THEN 'cancelled' ELSE 'completed' END,
                outcome = t.outcome, outcome_reason = t.reason, completed_at = now(), lock_expires_at = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS t(id, attempt, outcome, reason)
          WHERE j.id = ANY($1::uuid[]) AND j.id = t.id AND j.attempts = t.attempt AND j.lock_expires_at IS NOT NULL AND j.worker_id = $5
         RETURNING ${J_COLS})
         ${
           audit
             ? // the runs' own rows (only for jobs whose result is recorded here), then each job's
               `, r AS (
         INSERT INTO audit_log (tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id)
         SELECT e.tenant_id, e.event_type, e.entity_type, e.entity_id, e.actor, e.payload, e.correlation_id
           FROM unnest($7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::uuid[])
                WITH ORDINALITY AS e(tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id, job_id, n)
          WHERE e.job_id IN (SELECT id FROM u)
          ORDER BY e.n
         RETURNING 1)
         ${auditCte(`CASE WHEN u.outcome = 'skipped' THEN 'job.skipped' WHEN u.status = 'cancelled' THEN 'job.cancelled' ELSE 'job.completed' END`, `'outcome', u.outcome, 'reason', u.outcome_reason`, 6, 'r')}`
             : ''
         }
         SELECT u.* FROM u ${async ? 'CROSS JOIN async_commit' : ''}`,
      params,
    );
  }

  /** Back to pending after `delay_ms`, or failed for good when permanent or out of attempts. */
  async fail(m: EntityManager, workerId: string, items: readonly JobFailureRow[]): Promise<Job[]> {
    const [ids, attempts] = claimArrays(items);
    return returning<Job>(
      await m.query(
        `UPDATE jobs j
            SET status = CASE WHEN ${FINAL} THEN 'failed' ELSE 'pending' END,
                run_at = CASE WHEN ${FINAL} THEN j.run_at ELSE now() + make_interval(secs => t.delay_ms::double precision / 1000) END,
                completed_at = CASE WHEN ${FINAL} THEN now() END,
                worker_id = CASE WHEN ${FINAL} THEN j.worker_id END,
                last_error = t.error, lock_expires_at = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bool[], $5::int[]) AS t(id, attempt, error, permanent, delay_ms)
          WHERE j.id = ANY($1::uuid[]) AND j.id = t.id AND j.attempts = t.attempt AND j.lock_expires_at IS NOT NULL AND j.worker_id = $6
         RETURNING ${J_COLS}`,
        [ids, attempts, items.map((i) => i.error), items.map((i) => i.permanent), items.map((i) => i.delay_ms), workerId],
      ),
    );
  }

  /** Gives claims back unrun (shutdown): pending again, the attempt not counted. */
  async release(m: EntityManager, workerId: string, claims: readonly JobClaim[]): Promise<Job[]> {
    const [ids, attempts] = claimArrays(claims);
    return returning<Job>(
      await m.query(
        `UPDATE jobs j
            SET status = 'pending', attempts = j.attempts - 1, run_at = now(), worker_id = NULL, lock_expires_at = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::int[]) AS t(id, attempt)
          WHERE j.id = ANY($1::uuid[]) AND j.id = t.id AND j.attempts = t.attempt AND j.lock_expires_at IS NOT NULL AND j.worker_id = $3
         RETURNING ${J_COLS}`,
        [ids, attempts, workerId],
      ),
    );
  }

  /** Renews leases; answers the ids still held by this worker. */
  async extendLeases(m: EntityManager, workerId: string, claims: readonly JobClaim[], leaseMs: number): Promise<string[]> {
    const [ids, attempts] = claimArrays(claims);
    const rows = returning<{ id: string }>(
      await m.query(
        `UPDATE jobs j SET lock_expires_at = now() + make_interval(secs => $4::double precision / 1000)
           FROM unnest($1::uuid[], $2::int[]) AS t(id, attempt)
          WHERE j.id = ANY($1::uuid[]) AND j.id = t.id AND j.attempts = t.attempt AND j.lock_expires_at IS NOT NULL AND j.worker_id = $3
         RETURNING j.id`,
        [ids, attempts, workerId, leaseMs],
      ),
    );
    return rows.map((r) => r.id);
  }

  async extendLease(m: EntityManager, id: string, workerId: string, leaseMs: number): Promise<boolean> {
    const rows = returning<{ id: string }>(
      await m.query(
        `UPDATE jobs SET lock_expires_at = now() + make_interval(secs => $3::double precision / 1000)
          WHERE id = $1 AND lock_expires_at IS NOT NULL AND worker_id = $2 RETURNING id`,
        [id, workerId, leaseMs],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Claims whose lease ran out (the worker died or hung): back to pending with the attempt counted,
   * or failed for good when that was the last attempt. Answers the jobs and the worker that lost each.
   */
  async reclaimExpired(m: EntityManager, limit: number): Promise<(Job & { lost_by: string | null })[]> {
    return returning<Job & { lost_by: string | null }>(
      await m.query(
        `WITH s AS MATERIALIZED (
            SELECT id, worker_id, attempts >= max_attempts AS final FROM jobs
             WHERE status = 'claimed' AND lock_expires_at < now()
             ORDER BY lock_expires_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
         UPDATE jobs j
            SET status = CASE WHEN s.final THEN 'failed' ELSE 'pending' END,
                run_at = CASE WHEN s.final THEN j.run_at ELSE now() END,
                completed_at = CASE WHEN s.final THEN now() END,
                worker_id = CASE WHEN s.final THEN j.worker_id END,
                last_error = 'lease expired', lock_expires_at = NULL, updated_at = now()
           FROM s
          WHERE j.id = s.id
         RETURNING ${J_COLS}, s.worker_id AS lost_by`,
        [limit],
      ),
    );
  }

  async cancelPending(m: EntityManager, id: string, tenantId: string | undefined, reason: string): Promise<Job | null> {
    const rows = returning<Job>(
      await m.query(
        `UPDATE jobs SET status = 'cancelled', outcome = 'cancelled', outcome_reason = $3, completed_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'pending' AND ($2::uuid IS NULL OR tenant_id = $2)
         RETURNING ${JOB_COLS}`,
        [id, tenantId ?? null, reason],
      ),
    );
    return rows[0] ?? null;
  }

  async cancelPendingForAppointment(m: EntityManager, appointmentId: string, reason: string): Promise<Job[]> {
    return returning<Job>(
      await m.query(
        `UPDATE jobs SET status = 'cancelled', outcome = 'cancelled', outcome_reason = $2, completed_at = now(), updated_at = now()
          WHERE appointment_id = $1 AND status = 'pending'
         RETURNING ${JOB_COLS}`,
        [appointmentId, reason],
      ),
    );
  }

  /** failed/cancelled → pending with a fresh set of attempts. */
  async retry(m: EntityManager, id: string, tenantId: string | undefined): Promise<Job | null> {
    const rows = returning<Job>(
      await m.query(
        `UPDATE jobs
            SET status = 'pending', attempts = 0, run_at = now(), completed_at = NULL, outcome = NULL, outcome_reason = NULL,
                worker_id = NULL, lock_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND status IN ('failed', 'cancelled') AND ($2::uuid IS NULL OR tenant_id = $2)
         RETURNING ${JOB_COLS}`,
        [id, tenantId ?? null],
      ),
    );
    return rows[0] ?? null;
  }

  /** Deletes up to `limit` completed/cancelled jobs finished more than `days` ago; answers how many. */
  async purgeFinished(m: EntityManager, days: number, limit: number): Promise<number> {
    const rows = returning<{ id: string }>(
      await m.query(
        `WITH d AS MATERIALIZED (
            SELECT id FROM jobs
             WHERE status IN ('completed', 'cancelled') AND completed_at < now() - make_interval(days => $1)
             ORDER BY completed_at
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
         DELETE FROM jobs j USING d WHERE j.id = d.id RETURNING j.id`,
        [days, limit],
      ),
    );
    return rows.length;
  }

  async findById(m: EntityManager, id: string, tenantId?: string): Promise<Job | null> {
    const rows: Job[] = await m.query(`SELECT ${JOB_COLS} FROM jobs WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`, [id, tenantId ?? null]);
    return rows[0] ?? null;
  }

  /** Newest first, keyset-paginated on (created_at, id); `cursor_key` is created_at at full precision. */
  async list(m: EntityManager, f: JobListFilter): Promise<(Job & { cursor_key: string })[]> {
    return m.query(
      `SELECT ${JOB_COLS}, created_at::text AS cursor_key FROM jobs
        WHERE ($1::uuid IS NULL OR tenant_id = $1)
          AND ($2::text IS NULL OR status = $2)
          AND ($3::text IS NULL OR type = $3)
          AND ($4::uuid IS NULL OR appointment_id = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5)
          AND ($6::timestamptz IS NULL OR created_at < $6)
          AND ($7::timestamptz IS NULL OR (created_at, id) < ($7::timestamptz, $8::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $9`,
      [f.tenantId ?? null, f.status ?? null, f.type ?? null, f.appointmentId ?? null, f.from ?? null, f.to ?? null,
        f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
    );
  }

  async history(m: EntityManager, id: string): Promise<AuditRow[]> {
    return m.query(
      `SELECT id, event_type, actor, payload, correlation_id, created_at FROM audit_log
        WHERE entity_id = $1 AND entity_type = 'job' ORDER BY seq`,
      [id],
    );
  }

  async countByStatus(m: EntityManager, tenantId?: string): Promise<Record<JobStatus, number>> {
    const rows: { status: JobStatus; n: number }[] = await m.query(
      `SELECT status, count(*)::int AS n FROM jobs WHERE ($1::uuid IS NULL OR tenant_id = $1) GROUP BY status`,
      [tenantId ?? null],
    );
    const counts: Record<JobStatus, number> = { pending: 0, claimed: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** The earliest run_at among pending jobs (now or later), if any. */
  async nextRunAt(m: EntityManager, tenantId?: string): Promise<Date | null> {
    const rows: { run_at: Date | null }[] = await m.query(
      `SELECT min(run_at) AS run_at FROM jobs WHERE status = 'pending' AND ($1::uuid IS NULL OR tenant_id = $1)`,
      [tenantId ?? null],
    );
    return rows[0]?.run_at ?? null;
  }
}

function insertParams(rows: readonly JobInsert[], claimFor?: { workerId: string; leaseMs: number }): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.tenant_id),
    rows.map((r) => r.type),
    rows.map((r) => r.payload),
    rows.map((r) => r.priority),
    rows.map((r) => r.run_at),
    rows.map((r) => r.max_attempts),
    rows.map((r) => r.dedupe_key),
    rows.map((r) => r.appointment_id),
    rows.map((r) => r.appointment_version),
    rows.map((r) => r.shadow),
    rows.map((r) => r.correlation_id),
    rows.map((r) => claimFor !== undefined && r.claim === true),
    claimFor?.workerId ?? null,
    claimFor?.leaseMs ?? 0,
  ];
}
