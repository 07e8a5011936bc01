import type { PolicyConditions } from './policy-conditions.js';
import type { PolicyAction, PolicyEffect } from './policy.types.js';

/** A global rule seeded for every installation (tenantId null). */
export interface DefaultRuleSpec {
  readonly action: PolicyAction;
  readonly effect: PolicyEffect;
  readonly priority: number;
  readonly conditions: PolicyConditions;
  readonly description: string;
}

const NO_CONDITIONS: PolicyConditions = Object.freeze({});

const RULES: DefaultRuleSpec[] = [
  {
    action: 'send_confirmation',
    effect: 'allow',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'Send a booking confirmation to the customer.',
  },
  {
    action: 'send_reminder',
    effect: 'allow',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'Send appointment reminders to the customer.',
  },
  {
    action: 'auto_cancel_no_show',
    effect: 'deny',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'Never cancel a no-show automatically unless a tenant opts in.',
  },
  {
    action: 'send_follow_up',
    effect: 'deny',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'No follow-up messages after an appointment unless a tenant opts in.',
  },
  {
    action: 'retry_calendar_sync',
    effect: 'allow',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'Retry a failed calendar synchronisation.',
  },
  {
    action: 'send_cancellation_notice',
    effect: 'allow',
    priority: 0,
    conditions: NO_CONDITIONS,
    description: 'Tell the customer that an appointment was cancelled.',
  },
];

export const DEFAULT_RULES: readonly DefaultRuleSpec[] = Object.freeze(RULES.map((rule) => Object.freeze(rule)));
