import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../../common/audit/audit-appender.js';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import type { AppointmentSnapshot, DomainEvent } from '../../common/events/domain-events.js';
import type { HandlerScope } from '../../common/events/event-handling-ledger.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { EnqueueSpec } from '../jobs/job.types.js';
import { PolicyEngine } from '../policy/policy-engine.service.js';
import { dedupeKey, type PlannedAction, type SkippedAction } from './planning/action-planner.js';
import { AutonomySettingsService } from './settings/autonomy-settings.service.js';

/** The payload of every appointment tool: ids and plain values, never client details. */
export interface AppointmentToolPayload {
  appointment_id: string;
  version: number;
  template?: string;
  event_id: string;
  [key: string]: unknown;
}

/**
 * Decides and enqueues: asks the policy engine about each planned action (as of its run time),
 * records the decision, and enqueues the allowed ones (deferred ones at the time the policy names)
 * in the handler's transaction, with dedupe keys so a re-published event changes nothing.
 */
@Injectable()
export class Orchestrator {
  constructor(
    private readonly policy: PolicyEngine,
    private readonly queue: JobQueue,
    private readonly settings: AutonomySettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get timings() {
    return {
      reminderLeadMinutes: this.config.reminderLeadMinutes,
      noShowGraceMinutes: this.config.noShowGraceMinutes,
      followUpDelayMinutes: this.config.followUpDelayMinutes,
    };
  }

  async schedule(scope: HandlerScope, cause: DomainEvent, apt: AppointmentSnapshot, planned: readonly PlannedAction[], skipped: readonly SkippedAction[] = []): Promise<number> {
    const m = scope.manager;
    const tenantId = apt.tenant_id;
    const shadow = this.settings.effectiveMode(tenantId) === 'shadow';
    const specs: EnqueueSpec<AppointmentToolPayload>[] = [];
    const notScheduled = [...skipped.map((s) => ({ type: s.type, reason: s.reason }))];
    const audits: AuditEntry[] = [];
    const context = agentContext(cause);
    for (const p of planned) {
      const decision = await this.policy.evaluate(
        p.type,
        tenantId,
        { appointment_start: apt.start, appointment_id: apt.id, channel: 'email', now: p.runAt.toISOString() },
        { manager: m, context, auditInto: audits },
      );
      if (decision.effect !== 'allow' && !decision.defer_until) {
        notScheduled.push({ type: p.type, reason: `${decision.basis}: ${decision.reason}` });
        continue;
      }
      const runAt = decision.defer_until ? new Date(decision.defer_until) : p.runAt;
      specs.push({
        type: p.type,
        tenantId,
        payload: { appointment_id: apt.id, version: apt.version, event_id: cause.id, ...(p.template ? { template: p.template } : {}), ...(p.extra ?? {}) },
        runAt,
        dedupeKey: dedupeKey(p.type, apt.id, apt.version),
        appointmentId: apt.id,
        appointmentVersion: apt.version,
        shadow,
        context,
      });
    }
    for (const s of notScheduled) {
      audits.push({ tenant_id: tenantId, event_type: 'autonomy.action_not_scheduled', entity_type: 'appointment', entity_id: apt.id, actor: context.actor, correlation_id: context.correlationId, payload: { action: s.type, reason: s.reason, event_id: cause.id, event_type: cause.type } });
    }
    // the jobs (if any) in the handler's transaction; the decisions, the reasons for what was not
    // scheduled and the jobs' own audit rows are written by the ledger's closing statement
    const results = await this.queue.enqueueMany(specs, m, { auditInto: audits });
    scope.audit(audits);
    return results.filter((r) => r.created).length;
  }

  /** Cancels the pending jobs of an appointment (its old version), in the caller's transaction. */
  async cancelPending(m: EntityManager, cause: DomainEvent, appointmentId: string, reason: string): Promise<number> {
    return (await this.queue.cancelForAppointment(appointmentId, m, reason, agentContext(cause))).length;
  }
}

/** What the runtime does in reaction to an event: by the agent, under the event's correlation id. */
function agentContext(cause: DomainEvent): RequestContext {
  return { correlationId: cause.correlation_id, actor: 'agent' };
}
