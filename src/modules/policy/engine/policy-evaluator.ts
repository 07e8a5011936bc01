import {
  compileConditions,
  conditionHolds,
  createConditionInput,
  explainCondition,
  formatConditionValue,
  validateConditions,
  type CompiledCondition,
  type ConditionInput,
  type ConditionValidationError,
  type PolicyConditions,
} from './policy-conditions.js';
import {
  POLICY_ACTIONS,
  type ConditionResult,
  type PolicyContext,
  type PolicyDecision,
  type PolicyEffect,
  type PolicyRule,
} from './policy.types.js';
import { parseIsoInstant } from '../../../common/time/zoned-time.js';

/**
 * A rule row validated once and prepared for repeated evaluation.
 * - valid: conditions validated and compiled.
 * - invalid: conditions (or effect) do not validate; the rule is a matching deny at its priority.
 * - broken: the row itself cannot be read (wrong field types, throwing getters); any evaluation
 *   it may be relevant to fails with basis 'error'.
 */
export interface CompiledRule {
  readonly id: string;
  readonly tenantId: string | null;
  readonly action: string;
  readonly effect: PolicyEffect;
  readonly priority: number;
  readonly isActive: boolean;
  readonly status: 'valid' | 'invalid' | 'broken';
  readonly conditions: PolicyConditions | null;
  /** Conditions other than quiet hours, cheap first. */
  readonly checks: readonly CompiledCondition[];
  readonly quietHours: CompiledCondition | null;
  /** Why the rule is invalid or broken. */
  readonly errors: readonly ConditionValidationError[];
  /** Broken rows whose action or tenant could not be read apply to every evaluation. */
  readonly anyScope: boolean;
  /** 0 = tenant specific, 1 = global; tenant rules win ties. */
  readonly scopeRank: 0 | 1;
}

const ACTION_SET: ReadonlySet<string> = new Set(POLICY_ACTIONS);
const MAX_LISTED_RULES = 5;
const MAX_ERROR_MESSAGE = 200;

function brokenRule(
  id: string,
  action: string,
  tenantId: string | null,
  isActive: boolean,
  anyScope: boolean,
  errors: ConditionValidationError[],
): CompiledRule {
  return {
    id,
    tenantId,
    action,
    effect: 'deny',
    priority: 0,
    isActive,
    status: 'broken',
    conditions: null,
    checks: [],
    quietHours: null,
    errors,
    anyScope,
    scopeRank: tenantId === null ? 1 : 0,
  };
}

function compileUnsafe(rule: PolicyRule): CompiledRule {
  if (typeof rule !== 'object' || rule === null) {
    return brokenRule('<unknown>', '', null, true, true, [{ path: '', message: 'rule is not an object' }]);
  }
  const { id, tenantId, action, effect, priority, isActive, conditions } = rule as Record<keyof PolicyRule, unknown>;
  const problems: ConditionValidationError[] = [];
  if (typeof id !== 'string') problems.push({ path: 'id', message: 'must be a string' });
  if (typeof action !== 'string') problems.push({ path: 'action', message: 'must be a string' });
  if (tenantId !== null && typeof tenantId !== 'string') {
    problems.push({ path: 'tenantId', message: 'must be a string or null' });
  }
  if (typeof isActive !== 'boolean') problems.push({ path: 'isActive', message: 'must be a boolean' });
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    problems.push({ path: 'priority', message: 'must be a finite number' });
  }
  if (problems.length > 0) {
    const scopeKnown = typeof action === 'string' && (tenantId === null || typeof tenantId === 'string');
    return brokenRule(
      typeof id === 'string' ? id : '<unknown>',
      typeof action === 'string' ? action : '',
      typeof tenantId === 'string' ? tenantId : null,
      isActive !== false,
      !scopeKnown,
      problems,
    );
  }
  const base = {
    id: id as string,
    tenantId: tenantId as string | null,
    action: action as string,
    priority: (priority as number) === 0 ? 0 : (priority as number),
    isActive: isActive as boolean,
    anyScope: false,
    scopeRank: tenantId === null ? (1 as const) : (0 as const),
  };
  const validation = validateConditions(conditions);
  const errors = validation.ok ? [] : [...validation.errors];
  if (effect !== 'allow' && effect !== 'deny') errors.push({ path: 'effect', message: "must be 'allow' or 'deny'" });
  if (!validation.ok || errors.length > 0) {
    return { ...base, effect: 'deny', status: 'invalid', conditions: null, checks: [], quietHours: null, errors };
  }
  const compiled = compileConditions(validation.value);
  return {
    ...base,
    effect: effect as PolicyEffect,
    status: 'valid',
    conditions: validation.value,
    checks: compiled.filter((check) => check.kind !== 'quiet_hours'),
    quietHours: compiled.find((check) => check.kind === 'quiet_hours') ?? null,
    errors: [],
  };
}

/** Validates a rule row once. Never throws: unreadable rows come back with status 'broken'. */
export function compileRule(rule: PolicyRule): CompiledRule {
  try {
    return compileUnsafe(rule);
  } catch (error) {
    return brokenRule('<unknown>', '', null, true, true, [
      { path: '', message: `rule could not be read: ${messageOf(error)}` },
    ]);
  }
}

// Outcome kinds, in the order they win at equal priority.
const INVALID = 0;
const DENY = 1;
const DEFER = 2;
const ALLOW = 3;
type OutcomeKind = typeof INVALID | typeof DENY | typeof DEFER | typeof ALLOW;

/** Total order on outcomes: priority desc, kind, tenant before global, id asc. */
function outranks(a: CompiledRule, aKind: OutcomeKind, b: CompiledRule, bKind: OutcomeKind): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (aKind !== bKind) return aKind < bKind;
  if (a.scopeRank !== b.scopeRank) return a.scopeRank < b.scopeRank;
  return a.id < b.id;
}

/** DENY/ALLOW when all conditions hold, DEFER when an allow fails only its quiet hours, else null. */
function outcomeOf(rule: CompiledRule, input: ConditionInput): OutcomeKind | null {
  for (const check of rule.checks) {
    if (!conditionHolds(check, input)) return null;
  }
  const matchKind = rule.effect === 'deny' ? DENY : ALLOW;
  if (rule.quietHours === null || conditionHolds(rule.quietHours, input)) return matchKind;
  return rule.effect === 'allow' ? DEFER : null;
}

function explainRule(rule: CompiledRule, input: ConditionInput): { results: ConditionResult[]; deferUntilMs?: number } {
  const results: ConditionResult[] = [];
  let deferUntilMs: number | undefined;
  for (const check of rule.checks) results.push(explainCondition(check, input).result);
  if (rule.quietHours !== null) {
    const explained = explainCondition(rule.quietHours, input);
    results.push(explained.result);
    deferUntilMs = explained.deferUntilMs;
  }
  return deferUntilMs === undefined ? { results } : { results, deferUntilMs };
}

function describeRule(rule: CompiledRule): string {
  return `rule ${rule.id} (${rule.effect}, priority ${rule.priority})`;
}

function describeFailure(result: ConditionResult): string {
  const line = `${result.name} required ${formatConditionValue(result.required)}, actual ${formatConditionValue(result.actual)}`;
  return result.detail === undefined ? line : `${line} (${result.detail})`;
}

function describeErrors(errors: readonly ConditionValidationError[]): string {
  return errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; ');
}

function messageOf(error: unknown): string {
  try {
    const message = error instanceof Error ? error.message : String(error);
    return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}…` : message;
  } catch {
    return 'unknown error';
  }
}

function resolveNow(now: Date | undefined, context: PolicyContext): number {
  if (now !== undefined) {
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new Error('now is not a valid Date');
    return ms;
  }
  return parseIsoInstant(context.now) ?? Date.now();
}

interface DecisionHeader {
  action: string;
  tenant_id: string | null;
  evaluated_at: string;
}

function decide(
  header: DecisionHeader,
  effect: PolicyEffect,
  basis: PolicyDecision['basis'],
  ruleId: string | null,
  reason: string,
  conditions: ConditionResult[] = [],
): PolicyDecision {
  return { effect, rule_id: ruleId, basis, reason, conditions, ...header };
}

function winnerDecision(
  header: DecisionHeader,
  rule: CompiledRule,
  kind: OutcomeKind,
  input: ConditionInput,
): PolicyDecision {
  if (kind === INVALID) {
    return decide(
      header,
      'deny',
      'invalid_rule',
      rule.id,
      `rule ${rule.id} (priority ${rule.priority}) is invalid and counts as deny: ${describeErrors(rule.errors)}`,
    );
  }
  const explained = explainRule(rule, input);
  if (kind === ALLOW) {
    return decide(header, 'allow', 'rule', rule.id, `${describeRule(rule)} allows ${header.action}`, explained.results);
  }
  if (kind === DENY) {
    return decide(header, 'deny', 'rule', rule.id, `${describeRule(rule)} denies ${header.action}`, explained.results);
  }
  const window = formatConditionValue(rule.conditions?.quiet_hours);
  if (explained.deferUntilMs === undefined) {
    return decide(
      header,
      'deny',
      'rule',
      rule.id,
      `${describeRule(rule)} is inside quiet hours ${window}; the end of the window could not be computed`,
      explained.results,
    );
  }
  const deferUntil = new Date(explained.deferUntilMs).toISOString();
  const decision = decide(
    header,
    'deny',
    'rule',
    rule.id,
    `deferred until ${deferUntil}: ${describeRule(rule)} allows ${header.action} outside quiet hours ${window}`,
    explained.results,
  );
  decision.defer_until = deferUntil;
  return decision;
}

/** Explanation order for rules that did not match: priority desc, allow first (it says why not allowed). */
function explainsBefore(a: CompiledRule, b: CompiledRule): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.effect !== b.effect) return a.effect === 'allow' ? -1 : 1;
  if (a.scopeRank !== b.scopeRank) return a.scopeRank - b.scopeRank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Rules that did not match, kept as the first few in explanation order plus a count, so that a
 * default deny over many rules neither collects nor sorts them all.
 */
class FailedRules {
  readonly first: CompiledRule[] = [];
  count = 0;

  add(rule: CompiledRule): void {
    this.count++;
    const first = this.first;
    const full = first.length === MAX_LISTED_RULES;
    if (full && explainsBefore(first[MAX_LISTED_RULES - 1]!, rule) <= 0) return;
    let at = full ? MAX_LISTED_RULES - 1 : first.length;
    while (at > 0 && explainsBefore(rule, first[at - 1]!) < 0) {
      first[at] = first[at - 1]!;
      at--;
    }
    first[at] = rule;
  }
}

function defaultDenyDecision(header: DecisionHeader, failed: FailedRules | null, input: ConditionInput): PolicyDecision {
  const reason = `no active rule allows ${header.action}`;
  if (failed === null) return decide(header, 'deny', 'default_deny', null, reason);
  let text = reason;
  let firstFailures: ConditionResult[] = [];
  for (let i = 0; i < failed.first.length; i++) {
    const rule = failed.first[i]!;
    const failures = explainRule(rule, input).results.filter((result) => !result.passed);
    if (i === 0) firstFailures = failures;
    text += `; ${describeRule(rule)} did not match: ${failures.map(describeFailure).join(' and ')}`;
  }
  if (failed.count > failed.first.length) text += `; and ${failed.count - failed.first.length} more`;
  return decide(header, 'deny', 'default_deny', null, text, firstFailures);
}

function evaluateUnsafe(
  compiled: readonly CompiledRule[],
  action: string,
  tenantId: string | null,
  context: PolicyContext,
  nowMs: number,
  header: DecisionHeader,
): PolicyDecision {
  if (typeof action !== 'string' || !ACTION_SET.has(action)) {
    return decide(header, 'deny', 'default_deny', null, 'unknown action');
  }
  const input = createConditionInput(context, nowMs);
  let best: CompiledRule | null = null;
  let bestKind: OutcomeKind = ALLOW;
  let failed: FailedRules | null = null;
  for (const rule of compiled) {
    if (rule.status === 'broken') {
      const relevant =
        rule.isActive &&
        (rule.anyScope || (rule.action === action && (rule.tenantId === null || rule.tenantId === tenantId)));
      if (relevant) {
        return decide(
          header,
          'deny',
          'error',
          null,
          `rule ${rule.id} cannot be evaluated: ${describeErrors(rule.errors)}`,
        );
      }
      continue;
    }
    if (!rule.isActive || rule.action !== action) continue;
    if (rule.tenantId !== null && rule.tenantId !== tenantId) continue;
    if (rule.status === 'invalid') {
      if (best === null || outranks(rule, INVALID, best, bestKind)) {
        best = rule;
        bestKind = INVALID;
      }
      continue;
    }
    // A rule that cannot beat the current winner even in its best outcome needs no evaluation.
    if (best !== null && outranks(best, bestKind, rule, rule.effect === 'deny' ? DENY : DEFER)) continue;
    const kind = outcomeOf(rule, input);
    if (kind === null) {
      // Only needed when nothing matches; a later winner makes the list irrelevant.
      if (best === null) (failed ??= new FailedRules()).add(rule);
      continue;
    }
    if (best === null || outranks(rule, kind, best, bestKind)) {
      best = rule;
      bestKind = kind;
    }
  }
  if (best !== null) return winnerDecision(header, best, bestKind, input);
  return defaultDenyDecision(header, failed, input);
}

/**
 * Decides `action` for `tenantId` from pre-compiled rules. Fails closed and never throws.
 * The decision depends only on the set of rules, never on their order.
 */
export function evaluateCompiled(
  compiled: readonly CompiledRule[],
  action: string,
  tenantId: string | null,
  context: PolicyContext,
  now?: Date,
): PolicyDecision {
  let header: DecisionHeader | undefined;
  try {
    const nowMs = resolveNow(now, context);
    header = { action, tenant_id: tenantId, evaluated_at: new Date(nowMs).toISOString() };
    return evaluateUnsafe(compiled, action, tenantId, context, nowMs, header);
  } catch (error) {
    header ??= { action, tenant_id: tenantId, evaluated_at: new Date().toISOString() };
    return decide(header, 'deny', 'error', null, `evaluation error: ${messageOf(error)}`);
  }
}

/** Compiles `rules` and decides `action` for `tenantId`. Fails closed and never throws. */
export function evaluatePolicy(
  rules: readonly PolicyRule[],
  action: string,
  tenantId: string | null,
  context: PolicyContext,
  now?: Date,
): PolicyDecision {
  let compiled: CompiledRule[];
  try {
    compiled = rules.map((rule) => compileRule(rule));
  } catch (error) {
    return {
      effect: 'deny',
      rule_id: null,
      basis: 'error',
      reason: `evaluation error: ${messageOf(error)}`,
      conditions: [],
      action,
      tenant_id: tenantId,
      evaluated_at: new Date().toISOString(),
    };
  }
  return evaluateCompiled(compiled, action, tenantId, context, now);
}
