import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../../common/events/unit-of-work.js';
import type { RequestContext } from '../../common/http/request-context.js';
import { analyzeNewRule, analyzeRules, type PolicyWarning } from './engine/policy-analysis.js';
import { validateConditions } from './engine/policy-conditions.js';
import { POLICY_ACTIONS } from './engine/policy.types.js';
import { PolicyErrorCode, PolicyException } from './policy.exception.js';
import { PolicyRuleCache } from './policy-rule-cache.js';
import { PolicyRuleRepository, toRule, type PolicyRuleRow } from './policy-rule.repository.js';

export interface RuleInput {
  tenant_id: string | null;
  action: string;
  effect: 'allow' | 'deny';
  conditions?: unknown;
  priority?: number;
  is_active?: boolean;
  description?: string | null;
}

/** Writing rules: validated conditions, static warnings, audited, announced to every instance. */
@Injectable()
export class PolicyRulesService {
  constructor(
    private readonly repo: PolicyRuleRepository,
    private readonly cache: PolicyRuleCache,
    private readonly uow: UnitOfWork,
  ) {}

  async create(input: RuleInput, context: RequestContext): Promise<{ rule: PolicyRuleRow; warnings: PolicyWarning[] }> {
    this.checkAction(input.action);
    const conditions = this.checkConditions(input.conditions ?? {});
    const rule = await this.uow.run({ context }, async (tx) => {
      const row = await this.repo.insert(tx.manager, { ...input, conditions, priority: input.priority ?? 0, is_active: input.is_active ?? true, description: input.description ?? null });
      await this.cache.announce(tx.manager, row.tenant_id, row.action);
      tx.audit({ tenant_id: row.tenant_id, event_type: 'policy_rule.created', entity_type: 'policy_rule', entity_id: row.id, payload: { action: row.action, effect: row.effect, priority: row.priority, conditions: row.conditions, is_active: row.is_active } });
      return row;
    });
    this.invalidateLocally(rule);
    return { rule, warnings: await this.warningsFor(rule) };
  }

  async update(existing: PolicyRuleRow, patch: Omit<Partial<RuleInput>, 'tenant_id' | 'action'>, context: RequestContext): Promise<{ rule: PolicyRuleRow; warnings: PolicyWarning[] }> {
    const conditions = patch.conditions === undefined ? undefined : this.checkConditions(patch.conditions);
    const rule = await this.uow.run({ context }, async (tx) => {
      const row = await this.repo.update(tx.manager, existing.id, { ...patch, conditions });
      if (!row) throw new PolicyException(PolicyErrorCode.RULE_NOT_FOUND, 'policy rule not found', 'id');
      await this.cache.announce(tx.manager, row.tenant_id, row.action);
      tx.audit({ tenant_id: row.tenant_id, event_type: 'policy_rule.updated', entity_type: 'policy_rule', entity_id: row.id, payload: { before: pick(existing), after: pick(row) } });
      return row;
    });
    this.invalidateLocally(rule);
    return { rule, warnings: await this.warningsFor(rule) };
  }

  async remove(existing: PolicyRuleRow, context: RequestContext): Promise<void> {
    await this.uow.run({ context }, async (tx) => {
      if (!(await this.repo.delete(tx.manager, existing.id))) throw new PolicyException(PolicyErrorCode.RULE_NOT_FOUND, 'policy rule not found', 'id');
      await this.cache.announce(tx.manager, existing.tenant_id, existing.action);
      tx.audit({ tenant_id: existing.tenant_id, event_type: 'policy_rule.deleted', entity_type: 'policy_rule', entity_id: existing.id, payload: pick(existing) });
    });
    this.invalidateLocally(existing);
  }

  /** This instance must not wait for its own NOTIFY: the next request may already be here. */
  private invalidateLocally(rule: Pick<PolicyRuleRow, 'tenant_id' | 'action'>): void {
    this.cache.invalidate(JSON.stringify({ tenant_id: rule.tenant_id, action: rule.action }));
  }

  /** Warnings over a whole rule set (a tenant's view: its rules and the global ones). */
  async analysis(tenantId: string | undefined): Promise<PolicyWarning[]> {
    const rows = await this.repo.list({ tenantId, includeGlobal: true, limit: 100_000 });
    return analyzeRules(rows.map(toRule));
  }

  private async warningsFor(rule: PolicyRuleRow): Promise<PolicyWarning[]> {
    const others = (await this.repo.activeFor(rule.action, rule.tenant_id)).filter((r) => r.id !== rule.id);
    return analyzeNewRule(toRule(rule), others.map(toRule));
  }

  private checkAction(action: string): void {
    if (!(POLICY_ACTIONS as readonly string[]).includes(action)) {
      throw new PolicyException(PolicyErrorCode.UNKNOWN_ACTION, `action: unknown action (one of ${POLICY_ACTIONS.join(', ')})`, 'action');
    }
  }

  private checkConditions(raw: unknown): unknown {
    const v = validateConditions(raw);
    if (!v.ok) {
      const first = v.errors[0];
      const field = first?.path ? `conditions.${first.path}` : 'conditions';
      throw new PolicyException(PolicyErrorCode.INVALID_CONDITIONS, `${field}: ${first?.message ?? 'invalid'}`, field, { errors: v.errors });
    }
    return v.value;
  }
}

function pick(r: PolicyRuleRow) {
  return { action: r.action, effect: r.effect, priority: r.priority, conditions: r.conditions, is_active: r.is_active };
}
