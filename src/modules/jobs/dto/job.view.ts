import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditRow } from '../job.repository.js';
import { JOB_STATUSES, type Job, type JobOutcome, type JobStatus } from '../job.types.js';

/** A job as the API shows it. */
export class JobView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenant_id!: string | null;
  @ApiProperty({ example: 'send_reminder' }) type!: string;
  @ApiProperty({ description: 'ids and plain values only', type: 'object', additionalProperties: true }) payload!: Record<string, unknown>;
  @ApiProperty({ enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty() priority!: number;
  @ApiProperty({ type: String, format: 'date-time' }) run_at!: Date;
  @ApiProperty() attempts!: number;
  @ApiProperty() max_attempts!: number;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty({ type: String, enum: ['completed', 'skipped', 'cancelled'], nullable: true }) outcome!: JobOutcome | null;
  @ApiProperty({ type: String, nullable: true }) outcome_reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) dedupe_key!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) appointment_id!: string | null;
  @ApiProperty({ type: Number, nullable: true }) appointment_version!: number | null;
  @ApiProperty() shadow!: boolean;
  @ApiProperty({ type: String, nullable: true }) worker_id!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) claimed_at!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lock_expires_at!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: Date | null;
  @ApiProperty({ type: String, nullable: true }) correlation_id!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: Date;
}

export class JobHistoryEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'job.claimed' }) event_type!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) correlation_id!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
}

export class JobDetailView extends JobView {
  @ApiProperty({ type: [JobHistoryEntryView], description: 'the audit entries of every transition, oldest first' })
  history!: JobHistoryEntryView[];
}

export class JobPageView {
  @ApiProperty({ type: [JobView] }) items!: JobView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page' }) next_cursor!: string | null;
}

export function toJobView(j: Job): JobView {
  return {
    id: j.id,
    tenant_id: j.tenant_id,
    type: j.type,
    payload: j.payload,
    status: j.status,
    priority: j.priority,
    run_at: j.run_at,
    attempts: j.attempts,
    max_attempts: j.max_attempts,
    last_error: j.last_error,
    outcome: j.outcome,
    outcome_reason: j.outcome_reason,
    dedupe_key: j.dedupe_key,
    appointment_id: j.appointment_id,
    appointment_version: j.appointment_version,
    shadow: j.shadow,
    worker_id: j.worker_id,
    claimed_at: j.claimed_at,
    lock_expires_at: j.lock_expires_at,
    completed_at: j.completed_at,
    correlation_id: j.correlation_id,
    created_at: j.created_at,
    updated_at: j.updated_at,
  };
}

export function toHistoryView(a: AuditRow): JobHistoryEntryView {
  return { id: a.id, event_type: a.event_type, actor: a.actor, payload: a.payload, correlation_id: a.correlation_id, created_at: a.created_at };
}
