import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';
import { AuditAppender, type AuditEntry } from '../../common/audit/audit-appender.js';
import { AuditBatchWriter } from '../../common/audit/audit-batch-writer.js';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { evaluateCompiled } from './engine/policy-evaluator.js';
import { POLICY_DECIDED, type PolicyContext, type PolicyDecidedEvent, type PolicyDecision } from './engine/policy.types.js';
import { PolicyRuleCache } from './policy-rule-cache.js';
import { PolicyRuleRepository } from './policy-rule.repository.js';

export interface EvaluateOptions {
  /** Write the decision's audit row in this transaction (otherwise it is written by the batch writer, fire-and-forget). */
  manager?: EntityManager;
  /**
   * The caller writes the audit row itself, in its transaction together with its own rows (one
   * INSERT for many decisions): the entry is pushed here instead of being written.
   */
  auditInto?: AuditEntry[];
  /** Dry runs and what-if questions are audited as such. */
  dryRun?: boolean;
  /** Skip the kill-switch check (dry runs answer what the rules say). */
  ignoreKillSwitch?: boolean;
  /** Who asks (and for which request or job): the audit row's actor and correlation id. Default: the agent, no correlation. */
  context?: RequestContext;
}

type KillSwitch = (tenantId: string | null) => boolean | Promise<boolean>;

/**
 * The one decision path for every action: the HTTP guard, the job runner and the tool executor all
 * call `evaluate`. Default deny, fail closed, every decision explained and audit-logged.
 */
@Injectable()
export class PolicyEngine {
  private killSwitch: KillSwitch | null = null;

  constructor(
    private readonly cache: PolicyRuleCache,
    private readonly repo: PolicyRuleRepository,
    private readonly audit: AuditAppender,
    private readonly batch: AuditBatchWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly emitter: EventEmitter2,
  ) {}

  /** The autonomy module plugs in the runtime toggle; the env master switch is always checked. */
  setKillSwitch(fn: KillSwitch): void {
    this.killSwitch = fn;
  }

  async evaluate(action: string, tenantId: string | null, context: PolicyContext, opts: EvaluateOptions = {}): Promise<PolicyDecision> {
    const decision = await this.decide(action, tenantId, context, opts);
    const entry: AuditEntry = {
      tenant_id: tenantId,
      event_type: opts.dryRun ? 'policy.dry_run' : 'policy.decision',
      entity_type: context.appointment_id ? 'appointment' : 'policy',
      entity_id: context.appointment_id ?? decision.rule_id ?? action,
      actor: opts.context?.actor ?? 'agent',
      payload: { ...decision, context },
      correlation_id: opts.context?.correlationId ?? null,
    };
    if (opts.auditInto) opts.auditInto.push(entry);
    else if (opts.manager) await this.audit.append(opts.manager, [entry]);
    else this.batch.add(entry);
    if (this.emitter.hasListeners(POLICY_DECIDED)) {
      const decided: PolicyDecidedEvent = { action, tenant_id: tenantId, effect: decision.effect, basis: decision.basis, dry_run: opts.dryRun === true };
      this.emitter.emit(POLICY_DECIDED, decided);
    }
    return decision;
  }

  /** The decision without its audit row (benchmarks and internal what-ifs). Never throws. */
  async decide(action: string, tenantId: string | null, context: PolicyContext, opts: Pick<EvaluateOptions, 'ignoreKillSwitch' | 'manager'> = {}): Promise<PolicyDecision> {
    const now = context.now && !Number.isNaN(Date.parse(context.now)) ? new Date(context.now) : new Date();
    const header = { action, tenant_id: tenantId, evaluated_at: now.toISOString(), conditions: [] };
    try {
      if (!opts.ignoreKillSwitch) {
        if (!this.config.autonomyEnabled) {
          return { ...header, effect: 'deny', rule_id: null, basis: 'kill_switch', reason: 'the master switch AUTONOMY_ENABLED is off' };
        }
        if (this.killSwitch && !(await this.killSwitch(tenantId))) {
          return { ...header, effect: 'deny', rule_id: null, basis: 'kill_switch', reason: 'autonomy is switched off at runtime for this scope' };
        }
      }
      // inside a transaction, a cold cache loads through the same connection (never a second one from the pool)
      const entry = await this.cache.get(tenantId, action, opts.manager);
      let ctx = context;
      if (entry.needsCounters) {
        const c = await this.repo.counters(context.recipient, context.appointment_id, now.toISOString(), opts.manager);
        ctx = { ...context, sent_to_recipient_today: context.sent_to_recipient_today ?? c.recipientToday, sent_for_appointment: context.sent_for_appointment ?? c.forAppointment };
      }
      return evaluateCompiled(entry.rules, action, tenantId, ctx, now);
    } catch (e) {
      return { ...header, effect: 'deny', rule_id: null, basis: 'error', reason: `evaluation error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
}
