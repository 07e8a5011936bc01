import type { AuditEntry } from '../../common/audit/audit-appender.js';
import type { Job, JobUpdatedEvent } from './job.types.js';

export type JobTransition =
  | 'enqueued'
  | 'claimed'
  | 'completed'
  | 'skipped'
  | 'cancelled'
  | 'failed'
  | 'retry_scheduled'
  | 'reclaimed'
  | 'released'
  | 'retried';

/**
 * What a job's audit row reads: a stored job, or one about to be inserted (`run_at` null: it will
 * default to the database's now(), which the INSERT fills in).
 */
export type AuditedJob = Pick<
  Job,
  'id' | 'tenant_id' | 'type' | 'payload' | 'status' | 'priority' | 'attempts' | 'max_attempts' | 'dedupe_key' | 'worker_id' | 'lock_expires_at' | 'appointment_id' | 'outcome' | 'outcome_reason' | 'last_error' | 'shadow' | 'correlation_id'
> & { run_at: Date | null };

/** The audit row of one transition of one job (the appender redacts the payload). */
export function jobAudit(job: AuditedJob, transition: JobTransition, actor: string, extra?: Record<string, unknown>): AuditEntry {
  const payload: Record<string, unknown> = { type: job.type, status: job.status, attempts: job.attempts };
  switch (transition) {
    case 'enqueued':
      Object.assign(payload, { run_at: job.run_at, priority: job.priority, max_attempts: job.max_attempts, dedupe_key: job.dedupe_key, appointment_id: job.appointment_id, shadow: job.shadow, payload: job.payload });
      break;
    case 'claimed':
      Object.assign(payload, { worker_id: job.worker_id, lock_expires_at: job.lock_expires_at });
      break;
    case 'completed':
    case 'skipped':
    case 'cancelled':
      Object.assign(payload, { outcome: job.outcome, reason: job.outcome_reason });
      break;
    case 'failed':
    case 'retry_scheduled':
      Object.assign(payload, { error: job.last_error, next_run_at: job.status === 'pending' ? job.run_at : null });
      break;
    case 'reclaimed':
      Object.assign(payload, { error: job.last_error });
      break;
    default:
      break;
  }
  if (extra) Object.assign(payload, extra);
  return {
    tenant_id: job.tenant_id,
    event_type: `job.${transition}`,
    entity_type: 'job',
    entity_id: job.id,
    actor,
    payload,
    correlation_id: job.correlation_id,
  };
}

export function jobUpdatedEvent(job: Job): JobUpdatedEvent {
  return {
    id: job.id,
    tenant_id: job.tenant_id,
    type: job.type,
    status: job.status,
    outcome: job.outcome,
    reason: job.status === 'failed' || (job.status === 'pending' && job.last_error) ? job.last_error : job.outcome_reason,
    attempts: job.attempts,
    run_at: job.run_at.toISOString(),
  };
}
