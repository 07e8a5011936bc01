import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAppender, type AuditEntry } from '../../common/audit/audit-appender.js';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { ADVISORY_LOCKS, tryAdvisoryXactLock } from '../../common/database/advisory-lock.js';
import { pgCode, UNIQUE_VIOLATION } from '../../common/database/pg-errors.js';
import { TransactionHooks } from '../../common/database/transaction-hooks.js';
import { SYSTEM_CONTEXT, type RequestContext } from '../../common/http/request-context.js';
import { redactText } from '../../common/redaction/index.js';
import { backoffDelayMs, backoffPolicy, type BackoffPolicy } from './backoff.js';
import { jobAudit, jobUpdatedEvent, type AuditedJob } from './job-audit.js';
import { jobLeaseMs } from './job-lease.js';
import { assertJobPayload } from './job-payload.validator.js';
import { JOBS_CHANNEL, JobSignal, type JobHandover } from './job-signal.js';
import { JOB_UPDATED, type EnqueueOptions, type EnqueueResult, type EnqueueSpec, type Job, type JobClaim, type JobCompletion, type JobFailure, type JobStatus } from './job.types.js';
import { JobRepository, type JobInsert, type JobListFilter, type JobFailureRow, type AuditRow, type PlannedAudit } from './job.repository.js';
import { JobsErrorCode, JobsException } from './jobs.exception.js';

const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ERROR_LENGTH = 2000;
const MAX_REASON_LENGTH = 500;
/** Rows per multi-row audit INSERT (7 parameters a row, under PostgreSQL's 65,535). */
const AUDIT_CHUNK = 5000;

/** Results of jobs a worker finished, to be recorded together. */
export interface JobResults {
  completions: readonly JobCompletion[];
  failures: readonly JobFailure[];
}

export interface SettleResult {
  /** Jobs whose outcome was recorded (completed, skipped, cancelled, failed or back to pending). */
  settled: Job[];
  /** Claims this worker no longer held (its lease was lost): nothing recorded for them. */
  rejected: JobClaim[];
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function sortForRun(jobs: Job[]): Job[] {
  return jobs.sort((a, b) => b.priority - a.priority || a.run_at.getTime() - b.run_at.getTime() || (a.id < b.id ? -1 : 1));
}

/**
 * The persistent job queue: every transition runs in one transaction with its audit rows (one
 * multi-row INSERT per batch) and, once committed, is emitted as `job.updated` for the status feed.
 */
@Injectable()
export class JobQueue {
  private readonly logger = new Logger('JobQueue');
  private readonly backoff: BackoffPolicy;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: JobRepository,
    private readonly audit: AuditAppender,
    private readonly emitter: EventEmitter2,
    private readonly hooks: TransactionHooks,
    private readonly signal: JobSignal,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.backoff = backoffPolicy(config.agentJobBackoffBaseMs);
  }

  /**
   * Enqueues one job — inside the caller's transaction when `manager` is given, so the job exists
   * iff the change that caused it commits. A dedupe key held by a pending or running job makes it
   * a no-op that answers that job.
   */
  async enqueue<P extends object>(type: string, tenantId: string | null, payload: P, opts: EnqueueOptions = {}, manager?: EntityManager): Promise<EnqueueResult<P>> {
    const [result] = await this.enqueueMany([{ ...opts, type, tenantId, payload }], manager);
    return result as EnqueueResult<P>;
  }

  /**
   * Enqueues a batch; results are in the order of `specs`. One statement writes the jobs, their
   * audit rows and, when other processes' runners must be woken, the NOTIFY: inside the caller's
   * transaction when `manager` is given, otherwise on its own (atomic, so it needs no transaction:
   * one round trip). With `auditInto` (and the caller's `manager`), the audit rows are handed to the
   * caller instead, who must write them in that transaction.
   */
  async enqueueMany<P extends object>(specs: readonly EnqueueSpec<P>[], manager?: EntityManager, opts: { auditInto?: AuditEntry[] } = {}): Promise<EnqueueResult<P>[]> {
    if (specs.length === 0) return [];
    const rows = specs.map((s, i) => this.toInsert(s, specs.length > 1 ? `jobs[${i}].` : ''));
    const actorOf = new Map(rows.map((r, i) => [r.id, (specs[i]!.context ?? SYSTEM_CONTEXT).actor]));
    const m = manager ?? this.db.manager;
    const auditInto = manager ? opts.auditInto : undefined;
    const handover = this.handOver(rows);
    // the runners' signal, decided before the statement that carries it
    const plan = auditInto ? null : this.signal.prepare(manager ?? null, rows.filter((r) => !(handover && r.claim)).map((r) => r.run_at?.getTime() ?? Date.now()));
    let inserted: Job[];
    try {
      inserted = auditInto
        ? await this.jobs.insertMany(m, rows, handover ?? undefined)
        : await this.jobs.insertAudited(m, rows, handover ?? undefined, plannedAudit(rows, actorOf, handover), plan?.notify ? { channel: JOBS_CHANNEL, payload: plan.notify } : null);
    } catch (e) {
      handover?.cancel();
      throw e;
    }
    // outside a transaction these run at once: the statement has committed
    if (plan) this.hooks.afterCommit(m, plan.committed);
    handover?.bind(m, inserted.filter((j) => j.status === 'claimed'));
    const byId = new Map(inserted.map((j) => [j.id, j]));
    const missingKeys = rows.filter((r) => !byId.has(r.id) && r.dedupe_key !== null).map((r) => r.dedupe_key!);
    const existing = missingKeys.length > 0 ? await this.jobs.findActiveByDedupeKeys(m, missingKeys) : [];
    const byKey = new Map(existing.map((j) => [j.dedupe_key!, j]));
    if (inserted.length > 0) {
      // what the status feed is told: every transition, as the audit rows tell it
      const states: Job[] = [];
      const entries: AuditEntry[] = [];
      for (const j of inserted) {
        if (j.status !== 'claimed') {
          states.push(j);
          if (auditInto) entries.push(jobAudit(j, 'enqueued', actorOf.get(j.id)!));
          continue;
        }
        // enqueued, then claimed by the local runner, in the same statement
        const enqueued: Job = { ...j, status: 'pending', attempts: 0, worker_id: null, claimed_at: null, lock_expires_at: null };
        states.push(enqueued, j);
        if (auditInto) entries.push(jobAudit(enqueued, 'enqueued', actorOf.get(j.id)!), jobAudit(j, 'claimed', `worker:${j.worker_id}`));
      }
      if (auditInto) {
        // the caller writes them with its own rows, in the same transaction (one statement fewer)
        auditInto.push(...entries);
        await this.signal.announce(m, inserted.filter((j) => j.status !== 'claimed').map((j) => j.run_at.getTime()));
      }
      this.emitAfterCommit(m, states);
    }
    return rows.map((r): EnqueueResult<P> => {
      const job = byId.get(r.id);
      if (job) return { created: true, job: job as Job<P> };
      return { created: false, job: (byKey.get(r.dedupe_key!) as Job<P> | undefined) ?? null };
    });
  }

  /**
   * Marks the rows the local runner takes as they are inserted: jobs due now (no run_at, or one
   * already past), highest priority first, as many as it has free slots for.
   */
  private handOver(rows: JobInsert[]): JobHandover | null {
    const now = Date.now();
    const due = rows.filter((r) => r.run_at === null || r.run_at.getTime() <= now);
    const handover = this.signal.handOver(due.length);
    if (!handover) return null;
    due.sort((a, b) => b.priority - a.priority);
    for (const r of due.slice(0, handover.count)) r.claim = true;
    return handover;
  }

  /** Claims up to `limit` due jobs for `workerId`, each leased for `leaseMs`. */
  async claim(workerId: string, limit: number, leaseMs = jobLeaseMs(this.config)): Promise<Job[]> {
    if (limit <= 0) return [];
    // the claim and its audit rows: one statement, so one round trip and atomic without a transaction
    const claimed = await this.jobs.claim(this.db.manager, workerId, limit, leaseMs, { actor: `worker:${workerId}` }, { asyncCommit: !this.config.jobSyncCommit });
    this.emitAll(claimed);
    return sortForRun(claimed);
  }

  /** Records outcomes (completed, skipped, cancelled) of claims `workerId` still holds. */
  async complete(workerId: string, completions: readonly JobCompletion[]): Promise<SettleResult> {
    return this.settle(workerId, { completions, failures: [] });
  }

  /** Records failures: back to pending after a backoff, or failed for good (out of attempts, permanent). */
  async fail(workerId: string, failures: readonly JobFailure[]): Promise<SettleResult> {
    return this.settle(workerId, { completions: [], failures });
  }

  /** Completions and failures of one worker in one transaction (the runner's batched acknowledgement). */
  async settle(workerId: string, results: JobResults): Promise<SettleResult> {
    if (results.completions.length === 0 && results.failures.length === 0) return { settled: [], rejected: [] };
    const prepared = this.prepareResults(results);
    if (prepared.failures.length === 0) {
      // the common case, completions only: the UPDATE writes its audit rows itself (one round trip)
      const settled = await this.jobs.complete(this.db.manager, workerId, prepared.completions, { actor: `worker:${workerId}` }, { asyncCommit: !this.config.jobSyncCommit });
      this.emitAll(settled);
      return { settled, rejected: await this.reportRejected(workerId, results, settled) };
    }
    const settled = await this.db.transaction(async (m) => {
      const done = await this.recordResults(m, workerId, prepared);
      await this.appendAudit(m, done.entries);
      return done.settled;
    });
    this.emitAll(settled);
    return { settled, rejected: await this.reportRejected(workerId, results, settled) };
  }

  private prepareResults(results: JobResults): { completions: JobCompletion[]; failures: JobFailureRow[] } {
    return {
      completions: results.completions.map((c) => ({ ...c, reason: c.reason ? clip(redactText(c.reason), MAX_REASON_LENGTH) : null })),
      failures: results.failures.map((f) => ({
        id: f.id,
        attempt: f.attempt,
        error: clip(redactText(f.error || 'failed'), MAX_ERROR_LENGTH),
        permanent: f.permanent === true,
        delay_ms: Math.max(0, Math.round(f.retryInMs ?? backoffDelayMs(f.attempt, this.backoff))),
      })),
    };
  }

  /** The UPDATEs of a batch of results; answers the jobs changed and their audit entries (not yet written). */
  private async recordResults(
    m: EntityManager,
    workerId: string,
    r: { completions: JobCompletion[]; failures: JobFailureRow[] },
  ): Promise<{ settled: Job[]; entries: AuditEntry[] }> {
    const actor = `worker:${workerId}`;
    const done = r.completions.length > 0 ? await this.jobs.complete(m, workerId, r.completions) : [];
    const failed = r.failures.length > 0 ? await this.jobs.fail(m, workerId, r.failures) : [];
    const entries: AuditEntry[] = [];
    const runAudit = new Map(r.completions.map((c) => [c.id, c.audit ?? []]));
    for (const j of done) {
      entries.push(...(runAudit.get(j.id) ?? []));
      entries.push(jobAudit(j, j.outcome === 'skipped' ? 'skipped' : j.status === 'cancelled' ? 'cancelled' : 'completed', actor));
    }
    for (const j of failed) entries.push(jobAudit(j, j.status === 'failed' ? 'failed' : 'retry_scheduled', actor));
    const retrying = failed.filter((j) => j.status === 'pending');
    await this.signal.announce(m, retrying.map((j) => j.run_at.getTime()));
    return { settled: done.length === 0 ? failed : failed.length === 0 ? done : [...done, ...failed], entries };
  }

  /**
   * Claims whose results were not recorded (the lease was lost). What their runs did is still
   * audited: their own audit rows are written alone.
   */
  private async reportRejected(workerId: string, results: JobResults, settled: readonly Job[]): Promise<JobClaim[]> {
    if (settled.length === results.completions.length + results.failures.length) return [];
    const ok = new Set(settled.map((j) => j.id));
    const rejected = [...results.completions, ...results.failures].filter((c) => !ok.has(c.id)).map((c) => ({ id: c.id, attempt: c.attempt }));
    if (rejected.length === 0) return [];
    this.logger.warn(`${rejected.length} result(s) from ${workerId} arrived after the lease was lost; not recorded`);
    const orphaned = results.completions.filter((c) => !ok.has(c.id)).flatMap((c) => c.audit ?? []);
    if (orphaned.length > 0) {
      await this.appendAudit(this.db.manager, orphaned).catch((e: unknown) => this.logger.error(`could not audit ${orphaned.length} row(s) of runs whose results were not recorded: ${String(e)}`));
    }
    return rejected;
  }

  /** Gives unfinished claims back (shutdown): pending again, the attempt not counted. */
  async release(workerId: string, claims: readonly JobClaim[], reason = 'worker shutting down'): Promise<Job[]> {
    if (claims.length === 0) return [];
    const released = await this.db.transaction(async (m) => {
      const jobs = await this.jobs.release(m, workerId, claims);
      if (jobs.length > 0) {
        await this.appendAudit(m, jobs.map((j) => jobAudit(j, 'released', `worker:${workerId}`, { reason })));
        await this.signal.announce(m, jobs.map(() => Date.now()));
      }
      return jobs;
    });
    this.emitAll(released);
    return released;
  }

  /** Heartbeat of a long job: answers false when the lease was already lost. */
  async extendLease(id: string, workerId: string, ms: number): Promise<boolean> {
    return this.jobs.extendLease(this.db.manager, id, workerId, ms);
  }

  /** Batched heartbeat; answers the ids still held. */
  async extendLeases(workerId: string, claims: readonly JobClaim[], ms: number): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    return new Set(await this.jobs.extendLeases(this.db.manager, workerId, claims, ms));
  }

  /** Cancels a pending job. A running job answers JOB_CLAIMED (409): its worker owns it. */
  async cancel(id: string, opts: { tenantId?: string; reason?: string; context?: RequestContext } = {}): Promise<Job> {
    const reason = clip(redactText(opts.reason ?? 'cancelled by operator'), MAX_REASON_LENGTH);
    const job = await this.db.transaction(async (m) => {
      const cancelled = await this.jobs.cancelPending(m, id, opts.tenantId, reason);
      if (!cancelled) {
        const current = await this.jobs.findById(m, id, opts.tenantId);
        if (!current) throw new JobsException(JobsErrorCode.JOB_NOT_FOUND, 'job not found', 'id');
        if (current.status === 'claimed') throw new JobsException(JobsErrorCode.JOB_CLAIMED, 'the job is running and cannot be cancelled', 'id');
        throw new JobsException(JobsErrorCode.INVALID_STATE, `a ${current.status} job cannot be cancelled`, 'id');
      }
      await this.appendAudit(m, [jobAudit(cancelled, 'cancelled', (opts.context ?? SYSTEM_CONTEXT).actor)]);
      return cancelled;
    });
    this.emitAll([job]);
    return job;
  }

  /** Cancels every pending job of an appointment, inside the caller's transaction. */
  async cancelForAppointment(appointmentId: string, manager: EntityManager, reason: string, context: RequestContext = SYSTEM_CONTEXT): Promise<Job[]> {
    const jobs = await this.jobs.cancelPendingForAppointment(manager, appointmentId, clip(redactText(reason), MAX_REASON_LENGTH));
    if (jobs.length > 0) {
      await this.appendAudit(manager, jobs.map((j) => jobAudit(j, 'cancelled', context.actor)));
      this.emitAfterCommit(manager, jobs);
    }
    return jobs;
  }

  /** failed/cancelled → pending, attempts reset. */
  async retry(id: string, opts: { tenantId?: string; context?: RequestContext } = {}): Promise<Job> {
    let job: Job;
    try {
      job = await this.db.transaction(async (m) => {
        const retried = await this.jobs.retry(m, id, opts.tenantId);
        if (!retried) {
          const current = await this.jobs.findById(m, id, opts.tenantId);
          if (!current) throw new JobsException(JobsErrorCode.JOB_NOT_FOUND, 'job not found', 'id');
          throw new JobsException(JobsErrorCode.INVALID_STATE, `a ${current.status} job cannot be retried (only failed or cancelled jobs)`, 'id');
        }
        await this.appendAudit(m, [jobAudit(retried, 'retried', (opts.context ?? SYSTEM_CONTEXT).actor)]);
        await this.signal.announce(m, [Date.now()]);
        return retried;
      });
    } catch (e) {
      if (pgCode(e) === UNIQUE_VIOLATION) {
        throw new JobsException(JobsErrorCode.DUPLICATE_JOB, 'another pending or running job has the same dedupe key', 'id');
      }
      throw e;
    }
    this.emitAll([job]);
    return job;
  }

  /**
   * One reclaim pass (cluster singleton): claims past their lease go back to pending with the
   * attempt counted, or fail for good on their last attempt. Answers the jobs, or [] when another
   * instance holds the reclaimer lock.
   */
  async reclaimExpired(limit = 500): Promise<Job[]> {
    const reclaimed = await this.db.transaction(async (m) => {
      if (!(await tryAdvisoryXactLock(m, ADVISORY_LOCKS.jobReclaimer))) return [];
      const jobs = await this.jobs.reclaimExpired(m, limit);
      if (jobs.length === 0) return [];
      await this.appendAudit(m, jobs.map((j) => jobAudit(j, j.status === 'failed' ? 'failed' : 'reclaimed', 'system', { lost_by: j.lost_by })));
      await this.signal.announce(m, jobs.filter((j) => j.status === 'pending').map(() => Date.now()));
      return jobs.map(({ lost_by: _lostBy, ...job }) => job as Job);
    });
    this.emitAll(reclaimed);
    return reclaimed;
  }

  /**
   * Retention (cluster singleton): deletes completed and cancelled jobs finished more than
   * `days` ago, in batches, each batch its own short transaction. Answers the number deleted.
   */
  async purgeFinished(days = this.config.jobRetentionDays, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction(async (m) => {
        if (!(await tryAdvisoryXactLock(m, ADVISORY_LOCKS.jobRetention))) return -1;
        const deleted = await this.jobs.purgeFinished(m, days, batch);
        if (deleted > 0) {
          await this.audit.append(m, [{ tenant_id: null, event_type: 'job.purged', entity_type: 'job', entity_id: null, actor: 'system', payload: { count: deleted, older_than_days: days } }]);
        }
        return deleted;
      });
      if (n < 0) return total;
      total += n;
      if (n < batch) return total;
    }
  }

  async get(id: string, tenantId?: string): Promise<Job> {
    const job = await this.jobs.findById(this.db.manager, id, tenantId);
    if (!job) throw new JobsException(JobsErrorCode.JOB_NOT_FOUND, 'job not found', 'id');
    return job;
  }

  async list(filter: JobListFilter): Promise<(Job & { cursor_key: string })[]> {
    return this.jobs.list(this.db.manager, filter);
  }

  async history(id: string): Promise<AuditRow[]> {
    return this.jobs.history(this.db.manager, id);
  }

  async countByStatus(tenantId?: string): Promise<Record<JobStatus, number>> {
    return this.jobs.countByStatus(this.db.manager, tenantId);
  }

  async nextRunAt(tenantId?: string): Promise<Date | null> {
    return this.jobs.nextRunAt(this.db.manager, tenantId);
  }

  private toInsert<P extends object>(s: EnqueueSpec<P>, prefix: string): JobInsert {
    const bad = (field: string, why: string) => new JobsException(JobsErrorCode.INVALID_JOB, `${prefix}${field}: ${why}`, `${prefix}${field}`);
    if (typeof s.type !== 'string' || !TYPE_PATTERN.test(s.type)) throw bad('type', 'must be 1-64 characters: a letter, then letters, digits, _ . : -');
    if (s.tenantId !== null && (typeof s.tenantId !== 'string' || !UUID.test(s.tenantId))) throw bad('tenantId', 'must be a uuid or null');
    if (s.runAt !== undefined && !(s.runAt instanceof Date && Number.isFinite(s.runAt.getTime()))) throw bad('runAt', 'must be a valid Date');
    if (s.priority !== undefined && !(Number.isInteger(s.priority) && Math.abs(s.priority) <= 1_000_000)) throw bad('priority', 'must be an integer within ±1,000,000');
    if (s.maxAttempts !== undefined && !(Number.isInteger(s.maxAttempts) && s.maxAttempts >= 1 && s.maxAttempts <= 100)) throw bad('maxAttempts', 'must be an integer from 1 to 100');
    if (s.dedupeKey !== undefined && !(typeof s.dedupeKey === 'string' && s.dedupeKey.length >= 1 && s.dedupeKey.length <= 200)) throw bad('dedupeKey', 'must be 1-200 characters');
    if (s.dedupeKey !== undefined && redactText(s.dedupeKey) !== s.dedupeKey) {
      throw new JobsException(JobsErrorCode.PII_IN_PAYLOAD, `${prefix}dedupeKey: looks like personal data; build it from ids`, `${prefix}dedupeKey`);
    }
    if (s.appointmentId !== undefined && !(typeof s.appointmentId === 'string' && UUID.test(s.appointmentId))) throw bad('appointmentId', 'must be a uuid');
    if (s.appointmentVersion !== undefined && !Number.isInteger(s.appointmentVersion)) throw bad('appointmentVersion', 'must be an integer');
    let payload: string;
    try {
      payload = assertJobPayload(s.payload);
    } catch (e) {
      if (e instanceof JobsException && prefix) throw new JobsException(e.code as JobsErrorCode, `${prefix}${e.message}`, `${prefix}${e.field ?? 'payload'}`);
      throw e;
    }
    return {
      id: randomUUID(),
      tenant_id: s.tenantId,
      type: s.type,
      payload,
      priority: s.priority ?? 0,
      run_at: s.runAt ?? null,
      max_attempts: s.maxAttempts ?? 3,
      dedupe_key: s.dedupeKey ?? null,
      appointment_id: s.appointmentId ?? null,
      appointment_version: s.appointmentVersion ?? null,
      shadow: s.shadow === true,
      correlation_id: s.context?.correlationId ?? null,
    };
  }

  private async appendAudit(m: EntityManager, entries: AuditEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += AUDIT_CHUNK) {
      await this.audit.append(m, i === 0 && entries.length <= AUDIT_CHUNK ? entries : entries.slice(i, i + AUDIT_CHUNK));
    }
  }

  private emitAfterCommit(m: EntityManager, jobs: Job[]): void {
    this.hooks.afterCommit(m, () => this.emitAll(jobs));
  }

  private emitAll(jobs: readonly Job[]): void {
    if (jobs.length === 0 || !this.emitter.hasListeners(JOB_UPDATED)) return;
    for (const j of jobs) this.emitter.emit(JOB_UPDATED, jobUpdatedEvent(j));
  }
}

/**
 * The audit rows of jobs about to be inserted (`enqueued`, and `claimed` for those handed to the
 * local runner), each tied to its job and to what only the INSERT knows: a defaulted `run_at`, the
 * lease's end.
 */
function plannedAudit(rows: readonly JobInsert[], actorOf: ReadonlyMap<string, string>, handover: JobHandover | null): PlannedAudit {
  const entries: AuditEntry[] = [];
  const jobIds: string[] = [];
  const patch: ('run_at' | 'lock_expires_at' | null)[] = [];
  for (const r of rows) {
    const job: AuditedJob = {
      id: r.id,
      tenant_id: r.tenant_id,
      type: r.type,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      status: 'pending',
      priority: r.priority,
      run_at: r.run_at,
      attempts: 0,
      max_attempts: r.max_attempts,
      dedupe_key: r.dedupe_key,
      worker_id: null,
      lock_expires_at: null,
      appointment_id: r.appointment_id,
      outcome: null,
      outcome_reason: null,
      last_error: null,
      shadow: r.shadow,
      correlation_id: r.correlation_id,
    };
    entries.push(jobAudit(job, 'enqueued', actorOf.get(r.id)!));
    jobIds.push(r.id);
    patch.push(r.run_at === null ? 'run_at' : null);
    if (handover && r.claim) {
      entries.push(jobAudit({ ...job, status: 'claimed', attempts: 1, worker_id: handover.workerId }, 'claimed', `worker:${handover.workerId}`));
      jobIds.push(r.id);
      patch.push('lock_expires_at');
    }
  }
  return { entries, jobIds, patch };
}
