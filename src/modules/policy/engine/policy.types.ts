/** Actions the runtime may ask the policy engine about. Anything else is denied as unknown. */
export const POLICY_ACTIONS = Object.freeze([
  'send_confirmation',
  'send_reminder',
  'auto_cancel_no_show',
  'send_follow_up',
  'retry_calendar_sync',
  'send_cancellation_notice',
] as const);

export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export type PolicyEffect = 'allow' | 'deny';

export const POLICY_CHANNELS = Object.freeze(['email', 'sms', 'webhook', 'log'] as const);

export type PolicyChannel = (typeof POLICY_CHANNELS)[number];

/** One row of the policy table, as loaded from the database. */
export interface PolicyRule {
  id: string;
  /** null = global rule, applies to every tenant. */
  tenantId: string | null;
  action: string;
  effect: PolicyEffect;
  /** Raw jsonb; validated by the engine, may be anything. */
  conditions: unknown;
  priority: number;
  isActive: boolean;
}

/** Facts about the action being attempted. Counters are queried and supplied by the caller. */
export interface PolicyContext {
  /** ISO 8601 instant with offset, e.g. 2026-03-29T09:00:00Z. */
  appointment_start?: string;
  appointment_id?: string;
  channel?: PolicyChannel | string;
  recipient?: string;
  /** ISO 8601 instant; evaluation time for what-if queries. */
  now?: string;
  sent_to_recipient_today?: number;
  sent_for_appointment?: number;
}

export type DecisionBasis = 'rule' | 'default_deny' | 'kill_switch' | 'invalid_rule' | 'error';

export interface ConditionResult {
  name: string;
  required: unknown;
  actual: unknown;
  passed: boolean;
  detail?: string;
}

export interface PolicyDecision {
  effect: PolicyEffect;
  rule_id: string | null;
  basis: DecisionBasis;
  /** Human readable explanation. */
  reason: string;
  conditions: ConditionResult[];
  /** Set when quiet hours deferred the action: the instant the quiet window ends. */
  defer_until?: string;
  action: string;
  tenant_id: string | null;
  /** The instant the rules were evaluated against (context.now for what-if queries). */
  evaluated_at: string;
}

/** Emitted in-process after every decision `PolicyEngine.evaluate` makes (for metrics). */
export const POLICY_DECIDED = 'policy.decided';

export interface PolicyDecidedEvent {
  action: string;
  tenant_id: string | null;
  effect: PolicyEffect;
  basis: DecisionBasis;
  dry_run: boolean;
}
