import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditAppender, type AuditEntry } from '../../../common/audit/audit-appender.js';
import { AuditBatchWriter } from '../../../common/audit/audit-batch-writer.js';
import { transaction } from '../../../common/database/query-runner-transactions.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { AppointmentService } from '../../booking/appointments/appointment.service.js';
import type { Appointment } from '../../booking/appointments/appointment.types.js';
import { JobQueue } from '../../jobs/job-queue.service.js';
import type { Job, JobContext, JobHandler, JobResult } from '../../jobs/job.types.js';
import { PermanentJobError } from '../../jobs/permanent-job.error.js';
import { PolicyEngine } from '../../policy/policy-engine.service.js';
import { AutonomySettingsService } from '../settings/autonomy-settings.service.js';
import type { RegisteredTool, ToolResult } from './registered-tool.js';
import { ToolInputError } from './registered-tool.js';
import { ToolRegistry } from './tool-registry.js';

interface Checked {
  result?: ToolResult;
  /** The checks passed and the tool runs after the checks' transaction (ownTransaction tools). */
  runAfter?: boolean;
}

/**
 * The execution-time guard every job passes through. Before a tool runs, in the transaction that
 * writes its effect, it re-checks the kill switch (env master and runtime toggle), the policy, and
 * that the appointment is still in the state and version the job was made for (the fencing token).
 * If any check fails the job ends `cancelled` with the reason, audited, and nothing is sent.
 * Shadow mode records what would have run and runs nothing.
 */
@Injectable()
export class ToolExecutor {
  private readonly logger = new Logger('ToolExecutor');

  constructor(
    private readonly tools: ToolRegistry,
    private readonly settings: AutonomySettingsService,
    private readonly policy: PolicyEngine,
    private readonly appointments: AppointmentService,
    private readonly queue: JobQueue,
    private readonly audit: AuditAppender,
    private readonly batch: AuditBatchWriter,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Plugged into the job runner: it is called for every claimed job instead of a raw handler. */
  readonly execute = async (job: Job, _handler: JobHandler, ctx: JobContext): Promise<JobResult> => {
    const tool = this.tools.get(job.type);
    if (!tool) {
      await this.auditAlone(job, 'tool.refused', { reason: 'unregistered_tool' });
      throw new PermanentJobError(`unregistered tool "${job.type}": only registered tools can run`);
    }
    let input: unknown;
    try {
      input = tool.parse(job.payload);
    } catch (e) {
      const message = e instanceof ToolInputError ? e.message : 'payload could not be read';
      await this.auditAlone(job, 'tool.refused', { reason: 'invalid_input', detail: message });
      throw new PermanentJobError(`invalid input for ${tool.name}: ${message}`);
    }
    const mode = this.settings.effectiveMode(job.tenant_id);
    if (mode === 'off') return this.endAlone(job, tool, { outcome: 'cancelled', reason: 'autonomy_off' });
    const shadow = mode === 'shadow' || job.shadow;

    const checkAndRun = async (m: EntityManager): Promise<{ out: Checked; audits: AuditEntry[] }> => {
      const audits: AuditEntry[] = [];
      const end = (r: ToolResult): Checked => {
        audits.push(this.entry(job, tool, r.outcome === 'completed' ? 'tool.completed' : `tool.${r.outcome}`, { outcome: r.outcome, reason: r.reason, effects: r.effects }));
        return { result: r };
      };
      return { out: await this.check(m, job, ctx.context, tool, input as { appointment_id?: string }, shadow, audits, end), audits };
    };
    let checked: Checked;
    if (tool.ownTransaction) {
      // A tool with its own transaction runs after the checks, so a transaction around them would
      // hold nothing for it (its locks end at the commit, before the tool starts): the checks read,
      // and their decision is audited (in the next group commit, awaited) before the tool runs.
      const r = await checkAndRun(this.db.manager);
      await this.batch.write(r.audits);
      checked = r.out;
    } else {
      // The others: checks and effect in one transaction, the audit rows its last statement (sent with the COMMIT).
      checked = await transaction(this.db, 'READ COMMITTED', async (m) => {
        const r = await checkAndRun(m);
        return { value: r.out, last: r.audits.length > 0 ? () => this.audit.append(m, r.audits) : undefined };
      });
    }
    if (checked.runAfter) {
      const audit: AuditEntry[] = [];
      const result = await tool.run(input, { manager: this.db.manager, job, appointment: null, context: ctx.context, audit: (e) => void audit.push(...e) });
      // recorded with the job's result, in its statement (see JobResult.audit)
      audit.push(this.entry(job, tool, result.outcome === 'completed' ? 'tool.completed' : `tool.${result.outcome}`, { outcome: result.outcome, reason: result.reason, effects: result.effects }));
      return { outcome: result.outcome, reason: result.reason, audit };
    }
    return { outcome: checked.result!.outcome, reason: checked.result!.reason };
  };

  private async check(
    m: EntityManager,
    job: Job,
    context: RequestContext,
    tool: RegisteredTool,
    input: { appointment_id?: string },
    shadow: boolean,
    audits: AuditEntry[],
    end: (r: ToolResult) => Checked,
  ): Promise<Checked> {
    // false for a tool with its own transaction: its checks run outside one
    const inTransaction = m.queryRunner?.isTransactionActive === true;
    let apt: Appointment | null = null;
    if (tool.appointmentStatuses) {
      // in the effect's transaction, share-locked; without one, a plain batched read
      apt = !input.appointment_id ? null : inTransaction ? await this.appointments.lockForAction(m, input.appointment_id) : await this.appointments.readForAction(input.appointment_id);
      if (!apt || apt.tenant_id !== job.tenant_id) return end({ outcome: 'cancelled', reason: 'stale_appointment: not found' });
      if (job.appointment_version !== null && apt.version !== job.appointment_version) {
        return end({ outcome: 'cancelled', reason: `stale_appointment: version ${apt.version}, job made for ${job.appointment_version}` });
      }
      if (!tool.appointmentStatuses.includes(apt.status)) return end({ outcome: 'cancelled', reason: `stale_appointment: status is ${apt.status}` });
    }
    const decision = await this.policy.evaluate(
      tool.action,
      job.tenant_id,
      { appointment_id: apt?.id, appointment_start: apt?.start_time.toISOString(), channel: 'email', recipient: apt?.client_email },
      { manager: m, context: { correlationId: context.correlationId, actor: 'agent' }, auditInto: audits },
    );
    if (decision.effect !== 'allow') {
      if (decision.defer_until) {
        // in the checks' transaction when there is one; otherwise in the queue's own
        await this.queue.enqueue(job.type, job.tenant_id, job.payload, {
          runAt: new Date(decision.defer_until),
          dedupeKey: job.dedupe_key ? `${job.dedupe_key}:deferred` : undefined,
          appointmentId: job.appointment_id ?? undefined,
          appointmentVersion: job.appointment_version ?? undefined,
          shadow: job.shadow,
          context,
        }, inTransaction ? m : undefined);
        return end({ outcome: 'skipped', reason: `deferred until ${decision.defer_until} (${decision.reason})` });
      }
      return end({ outcome: 'cancelled', reason: decision.basis === 'kill_switch' ? 'autonomy_off' : `policy_denied: ${decision.reason}` });
    }
    if (shadow) {
      audits.push(this.entry(job, tool, 'tool.shadow', { would_run: tool.name, decision_rule: decision.rule_id }));
      return end({ outcome: 'skipped', reason: `shadow: would have run ${tool.name}` });
    }
    if (tool.ownTransaction) return { runAfter: true };
    const result = await tool.run(input, { manager: m, job, appointment: apt, context, audit: (e) => void audits.push(...e) });
    return end(result);
  }

  private entry(job: Job, tool: RegisteredTool | null, eventType: string, payload: Record<string, unknown>): AuditEntry {
    return { tenant_id: job.tenant_id, event_type: eventType, entity_type: 'job', entity_id: job.id, actor: 'agent', correlation_id: job.correlation_id, payload: { tool: tool?.name ?? job.type, job_type: job.type, appointment_id: job.appointment_id, ...payload } };
  }

  /** Ends the job before any check ran; its audit row is recorded with the job's result. */
  private endAlone(job: Job, tool: RegisteredTool, r: ToolResult): JobResult {
    return { outcome: r.outcome, reason: r.reason, audit: [this.entry(job, tool, `tool.${r.outcome}`, { outcome: r.outcome, reason: r.reason })] };
  }

  /** The audit row of a job that fails for good (no result to record it with). */
  private async auditAlone(job: Job, eventType: string, payload: Record<string, unknown>): Promise<void> {
    try {
      // one INSERT is atomic on its own: no transaction around it (two round trips fewer)
      await this.audit.append(this.db.manager, [this.entry(job, null, eventType, payload)]);
    } catch (e) {
      this.logger.error(`could not audit ${eventType} for job ${job.id}: ${String(e)}`);
    }
  }
}
