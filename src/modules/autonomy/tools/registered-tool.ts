import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../../../common/audit/audit-appender.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import type { Appointment, AppointmentStatus } from '../../booking/appointments/appointment.types.js';
import type { Job } from '../../jobs/job.types.js';
import type { PolicyAction } from '../../policy/engine/policy.types.js';

/** What a tool may touch while it runs: the executor's transaction and the fenced appointment. */
export interface ToolRunContext {
  manager: EntityManager;
  job: Job;
  /** Locked for this action and checked against the job's version; null for tools without one. */
  appointment: Appointment | null;
  /** The job's correlation id and worker: on whatever the tool writes. */
  context: RequestContext;
  /** Audit rows the executor writes with its own (in the tool's transaction, when it has one). */
  audit(entries: readonly AuditEntry[]): void;
}

export interface ToolResult {
  outcome: 'completed' | 'skipped' | 'cancelled';
  reason?: string;
  /** Ids of what the tool wrote (outbox rows …), for the audit trail. */
  effects?: Record<string, unknown>;
}

/** A validation failure of a tool's input: the job fails for good (retrying cannot fix it). */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

/**
 * A whitelisted action. Its name is the job type; it declares the policy action it needs, the
 * appointment states it acts on, and validates its input (ids, never personal data). Its handler
 * uses injected services only.
 */
export interface RegisteredTool<P = unknown> {
  readonly name: string;
  readonly action: PolicyAction;
  readonly description: string;
  /** null: the tool does not act on an appointment. */
  readonly appointmentStatuses: readonly AppointmentStatus[] | null;
  /**
   * The tool's effect is written by a service in its own transaction (e.g. a calendar write): the
   * executor commits its checks first and does not hold the appointment lock while the tool runs.
   */
  readonly ownTransaction?: boolean;
  parse(payload: unknown): P;
  run(input: P, ctx: ToolRunContext): Promise<ToolResult>;
}
