import type { AuditEntry } from '../../common/audit/audit-appender.js';
import type { RequestContext } from '../../common/http/request-context.js';

export type JobStatus = 'pending' | 'claimed' | 'completed' | 'failed' | 'cancelled';
export type JobOutcome = 'completed' | 'skipped' | 'cancelled';

export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'claimed', 'completed', 'failed', 'cancelled'];

/** A row of `jobs`. The payload holds ids and plain values, never personal data. */
export interface Job<P = Record<string, unknown>> {
  id: string;
  tenant_id: string | null;
  type: string;
  payload: P;
  status: JobStatus;
  priority: number;
  run_at: Date;
  claimed_at: Date | null;
  completed_at: Date | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  dedupe_key: string | null;
  worker_id: string | null;
  lock_expires_at: Date | null;
  appointment_id: string | null;
  appointment_version: number | null;
  outcome: JobOutcome | null;
  outcome_reason: string | null;
  shadow: boolean;
  correlation_id: string | null;
}

export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Attempts before the job fails for good (default 3). */
  maxAttempts?: number;
  /** The same intent is never pending or running twice: a second enqueue with this key is a no-op. */
  dedupeKey?: string;
  appointmentId?: string;
  appointmentVersion?: number;
  /** Recorded and run in shadow mode: the executor decides what that means (no tool runs). */
  shadow?: boolean;
  /** Who enqueues it, for which request or job: the job's correlation id and its `enqueued` audit actor (default: system). */
  context?: RequestContext;
}

export interface EnqueueSpec<P = Record<string, unknown>> extends EnqueueOptions {
  type: string;
  tenantId: string | null;
  payload: P;
}

/**
 * `created: false` means the dedupe key was already taken by a pending or running job; `job` is
 * that job (null if it finished between the insert and the look-up).
 */
export type EnqueueResult<P = Record<string, unknown>> = { created: true; job: Job<P> } | { created: false; job: Job<P> | null };

/** Identifies one claim of a job: the attempt number is the fencing token of that claim. */
export interface JobClaim {
  id: string;
  attempt: number;
}

export interface JobCompletion extends JobClaim {
  outcome: JobOutcome;
  reason?: string | null;
  /** Audit rows of the run, written with the completion (in its statement), before the job's own row. */
  audit?: readonly AuditEntry[];
}

export interface JobFailure extends JobClaim {
  error: string;
  /** Fail for good whatever the attempts left (unregistered type, a handler's permanent error). */
  permanent?: boolean;
  /** Delay before the next attempt; computed from the backoff policy when absent. */
  retryInMs?: number;
}

/** What a handler says happened. Returning nothing means `completed`. */
export interface JobResult {
  outcome: JobOutcome;
  reason?: string;
  /**
   * Audit rows of what the run did, recorded with the job's result: in the same statement, so they
   * commit together (one write fewer per job). If the result cannot be recorded (the lease was
   * lost), they are written on their own.
   */
  audit?: readonly AuditEntry[];
}

export interface JobContext {
  readonly workerId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly shadow: boolean;
  /** The job's correlation id (the request or event that caused it) and this worker, for what the handler writes. */
  readonly context: RequestContext;
  /** Aborted when the lease is lost or the shutdown deadline passes: stop, the job will be run again. */
  readonly signal: AbortSignal;
  /** Extends this job's lease (long jobs); false when the lease was already lost. */
  heartbeat(ms?: number): Promise<boolean>;
}

export type JobHandler<P = any> = (job: Job<P>, ctx: JobContext) => Promise<JobResult | void> | JobResult | void;

/** Wraps every run (policy re-check, kill switch); it calls `handler` itself when the run may go on. */
export type JobExecutor = (job: Job, handler: JobHandler, ctx: JobContext) => Promise<JobResult | void>;

export type ClaimGate = () => boolean | Promise<boolean>;

/** The in-process status feed: emitted as `job.updated` after each committed transition. */
export interface JobUpdatedEvent {
  id: string;
  tenant_id: string | null;
  type: string;
  status: JobStatus;
  outcome: JobOutcome | null;
  reason: string | null;
  attempts: number;
  run_at: string;
}

export const JOB_UPDATED = 'job.updated';
