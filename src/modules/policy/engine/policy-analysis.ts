import type { PolicyConditions } from './policy-conditions.js';
import { compileRule, type CompiledRule } from './policy-evaluator.js';
import type { PolicyEffect, PolicyRule } from './policy.types.js';

export type PolicyWarningKind = 'shadowed' | 'allow_deny_tie';

export interface PolicyWarning {
  kind: PolicyWarningKind;
  /** shadowed: the rule that can never win; tie: the allow rule. */
  rule_id: string;
  /** shadowed: the rule that always beats it; tie: the deny rule. */
  other_rule_id: string;
  action: string;
  message: string;
}

/** How a rule behaves at evaluation time: an invalid rule is a deny that always matches. */
interface RuleView {
  readonly id: string;
  readonly tenantId: string | null;
  readonly action: string;
  readonly effect: PolicyEffect;
  readonly priority: number;
  readonly invalid: boolean;
  readonly conditions: PolicyConditions;
}

const ALWAYS: PolicyConditions = Object.freeze({});

function viewOf(rule: CompiledRule): RuleView | null {
  if (rule.status === 'broken' || !rule.isActive) return null;
  return {
    id: rule.id,
    tenantId: rule.tenantId,
    action: rule.action,
    effect: rule.effect,
    priority: rule.priority,
    invalid: rule.status === 'invalid',
    conditions: rule.conditions ?? ALWAYS,
  };
}

/** `outer` applies to every tenant `inner` applies to. */
function covers(outer: RuleView, inner: RuleView): boolean {
  return outer.tenantId === null || outer.tenantId === inner.tenantId;
}

function overlaps(a: RuleView, b: RuleView): boolean {
  return a.tenantId === null || b.tenantId === null || a.tenantId === b.tenantId;
}

/**
 * Provable only: true when every condition of `loose` is implied by the same condition of
 * `strict` with an equal or tighter bound (quiet hours must be identical).
 */
function impliedBy(loose: PolicyConditions, strict: PolicyConditions): boolean {
  if (loose.min_lead_time_minutes !== undefined) {
    if (strict.min_lead_time_minutes === undefined || strict.min_lead_time_minutes < loose.min_lead_time_minutes) {
      return false;
    }
  }
  if (loose.max_lead_time_minutes !== undefined) {
    if (strict.max_lead_time_minutes === undefined || strict.max_lead_time_minutes > loose.max_lead_time_minutes) {
      return false;
    }
  }
  if (loose.channels !== undefined) {
    const allowed = loose.channels;
    if (strict.channels === undefined || !strict.channels.every((channel) => allowed.includes(channel))) return false;
  }
  if (loose.max_per_recipient_per_day !== undefined) {
    if (
      strict.max_per_recipient_per_day === undefined ||
      strict.max_per_recipient_per_day > loose.max_per_recipient_per_day
    ) {
      return false;
    }
  }
  if (loose.max_per_appointment !== undefined) {
    if (strict.max_per_appointment === undefined || strict.max_per_appointment > loose.max_per_appointment) {
      return false;
    }
  }
  if (loose.quiet_hours !== undefined) {
    const q = strict.quiet_hours;
    const l = loose.quiet_hours;
    if (q === undefined || q.start !== l.start || q.end !== l.end || q.timezone !== l.timezone) return false;
  }
  return true;
}

/** Whether `other` beats `rule` in every situation in which `rule` could decide. */
function shadows(other: RuleView, rule: RuleView): boolean {
  if (other.id === rule.id || !covers(other, rule)) return false;
  const outranks =
    other.priority > rule.priority ||
    (other.priority === rule.priority && other.effect === 'deny' && rule.effect === 'allow');
  if (!outranks || !impliedBy(other.conditions, rule.conditions)) return false;
  // Inside the quiet window an allow rule still decides (it defers); a deny with the same quiet
  // hours does not match there, so it does not cover that case.
  return !(other.effect === 'deny' && other.conditions.quiet_hours !== undefined && rule.effect === 'allow');
}

/** Conditions that can never hold together; anything not provably disjoint may overlap. */
function disjoint(a: PolicyConditions, b: PolicyConditions): boolean {
  if (a.channels !== undefined && b.channels !== undefined) {
    const other = b.channels;
    if (!a.channels.some((channel) => other.includes(channel))) return true;
  }
  const low = Math.max(a.min_lead_time_minutes ?? -Infinity, b.min_lead_time_minutes ?? -Infinity);
  const high = Math.min(a.max_lead_time_minutes ?? Infinity, b.max_lead_time_minutes ?? Infinity);
  return low > high;
}

function label(rule: RuleView): string {
  const scope = rule.tenantId === null ? 'global' : `tenant ${rule.tenantId}`;
  const effect = rule.invalid ? 'invalid, counts as deny' : rule.effect;
  return `rule ${rule.id} (${effect}, priority ${rule.priority}, ${scope})`;
}

function analyzeGroup(group: readonly RuleView[], warnings: PolicyWarning[]): void {
  for (const rule of group) {
    for (const other of group) {
      if (shadows(other, rule)) {
        warnings.push({
          kind: 'shadowed',
          rule_id: rule.id,
          other_rule_id: other.id,
          action: rule.action,
          message: `${label(rule)} can never win: ${label(other)} outranks it and matches whenever it does`,
        });
      } else if (
        rule.effect === 'allow' &&
        other.effect === 'deny' &&
        !other.invalid &&
        other.priority === rule.priority &&
        overlaps(rule, other) &&
        !disjoint(rule.conditions, other.conditions)
      ) {
        warnings.push({
          kind: 'allow_deny_tie',
          rule_id: rule.id,
          other_rule_id: other.id,
          action: rule.action,
          message: `${label(rule)} and ${label(other)} have equal priority and can both match; deny wins`,
        });
      }
    }
  }
}

function compare(a: PolicyWarning, b: PolicyWarning): number {
  const keys: (keyof PolicyWarning)[] = ['action', 'rule_id', 'other_rule_id', 'kind'];
  for (const key of keys) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  return 0;
}

function analyzeViews(views: readonly RuleView[]): PolicyWarning[] {
  const byAction = new Map<string, RuleView[]>();
  for (const view of views) {
    const group = byAction.get(view.action);
    if (group === undefined) byAction.set(view.action, [view]);
    else group.push(view);
  }
  const warnings: PolicyWarning[] = [];
  for (const group of byAction.values()) analyzeGroup(group, warnings);
  return warnings.sort(compare);
}

function viewsOf(rules: readonly PolicyRule[]): RuleView[] {
  const views: RuleView[] = [];
  for (const rule of rules) {
    const view = viewOf(compileRule(rule));
    if (view !== null) views.push(view);
  }
  return views;
}

/**
 * Static checks over active rules: rules that can never win (shadowed) and allow/deny pairs at
 * equal priority that can both match. Reports only what it can prove; sorted deterministically.
 */
export function analyzeRules(rules: readonly PolicyRule[]): PolicyWarning[] {
  return analyzeViews(viewsOf(rules));
}

/**
 * Warnings that involve `rule` once it is added to (or replaces, by id) `existing`.
 * An inactive rule never takes part in decisions and yields no warnings.
 */
export function analyzeNewRule(rule: PolicyRule, existing: readonly PolicyRule[]): PolicyWarning[] {
  const added = viewOf(compileRule(rule));
  if (added === null) return [];
  const views = viewsOf(existing).filter((view) => view.id !== added.id);
  views.push(added);
  return analyzeViews(views).filter((w) => w.rule_id === added.id || w.other_rule_id === added.id);
}
