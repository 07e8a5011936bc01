import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './default-rules.js';
import { analyzeRules } from './policy-analysis.js';
import { validateConditions } from './policy-conditions.js';
import { evaluatePolicy } from './policy-evaluator.js';
import { POLICY_ACTIONS, type PolicyRule } from './policy.types.js';

const asRules = (): PolicyRule[] =>
  DEFAULT_RULES.map((d) => ({
    id: `default-${d.action}`,
    tenantId: null,
    action: d.action,
    effect: d.effect,
    conditions: d.conditions,
    priority: d.priority,
    isActive: true,
  }));

describe('DEFAULT_RULES', () => {
  it('has exactly one global rule per action', () => {
    expect(DEFAULT_RULES.map((d) => d.action).sort()).toEqual([...POLICY_ACTIONS].sort());
  });

  it.each([
    ['send_confirmation', 'allow'],
    ['send_reminder', 'allow'],
    ['auto_cancel_no_show', 'deny'],
    ['send_follow_up', 'deny'],
    ['retry_calendar_sync', 'allow'],
    ['send_cancellation_notice', 'allow'],
  ])('%s -> %s', (action, effect) => {
    const spec = DEFAULT_RULES.find((d) => d.action === action)!;
    expect(spec).toMatchObject({ effect, priority: 0, conditions: {} });
    expect(spec.description.length).toBeGreaterThan(0);
    const decision = evaluatePolicy(asRules(), action, 'any-tenant', {}, new Date('2026-05-04T10:00:00Z'));
    expect(decision).toMatchObject({ effect, basis: 'rule', rule_id: `default-${action}` });
  });

  it('validates and produces no analysis warnings', () => {
    for (const spec of DEFAULT_RULES) expect(validateConditions(spec.conditions).ok).toBe(true);
    expect(analyzeRules(asRules())).toEqual([]);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(DEFAULT_RULES)).toBe(true);
    for (const spec of DEFAULT_RULES) expect(Object.isFrozen(spec)).toBe(true);
  });
});
