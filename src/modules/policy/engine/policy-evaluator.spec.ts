import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, evaluateCompiled, evaluatePolicy } from './policy-evaluator.js';
import type { PolicyContext, PolicyDecision, PolicyRule } from './policy.types.js';

const NOW = new Date('2026-05-04T10:00:00.000Z');
const ACTION = 'send_reminder';
const inMinutes = (minutes: number): string => new Date(NOW.getTime() + minutes * 60_000).toISOString();

function rule(id: string, overrides: Partial<PolicyRule> = {}): PolicyRule {
  return { id, tenantId: null, action: ACTION, effect: 'allow', conditions: {}, priority: 0, isActive: true, ...overrides };
}

const CONTEXT: PolicyContext = {
  appointment_start: inMinutes(24 * 60),
  appointment_id: 'a1',
  channel: 'email',
  recipient: 'r@example.com',
  sent_to_recipient_today: 0,
  sent_for_appointment: 0,
};

type Expected = Partial<Pick<PolicyDecision, 'effect' | 'basis' | 'rule_id' | 'reason' | 'defer_until'>>;

interface Case {
  name: string;
  rules: PolicyRule[];
  tenant?: string | null;
  action?: string;
  context?: Partial<PolicyContext>;
  now?: Date;
  expected: Expected;
}

function run(c: Case): PolicyDecision {
  return evaluatePolicy(c.rules, c.action ?? ACTION, c.tenant === undefined ? 't1' : c.tenant, { ...CONTEXT, ...c.context }, c.now ?? NOW);
}

const NIGHT_BERLIN = { quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } };

const CASES: Case[] = [
  // default deny
  { name: 'no rules', rules: [], expected: { effect: 'deny', basis: 'default_deny', rule_id: null, reason: 'no active rule allows send_reminder' } },
  { name: 'only rules for other actions', rules: [rule('g1', { action: 'send_confirmation' })], expected: { effect: 'deny', basis: 'default_deny', rule_id: null } },
  { name: 'global allow', rules: [rule('g1')], expected: { effect: 'allow', basis: 'rule', rule_id: 'g1', reason: 'rule g1 (allow, priority 0) allows send_reminder' } },
  { name: 'global deny', rules: [rule('g1', { effect: 'deny' })], expected: { effect: 'deny', basis: 'rule', rule_id: 'g1', reason: 'rule g1 (deny, priority 0) denies send_reminder' } },
  // global vs tenant
  { name: 'tenant deny beats global allow at equal priority', rules: [rule('g1'), rule('t', { tenantId: 't1', effect: 'deny' })], expected: { effect: 'deny', rule_id: 't' } },
  { name: 'another tenant rule does not apply', rules: [rule('g1'), rule('t', { tenantId: 't2', effect: 'deny' })], expected: { effect: 'allow', rule_id: 'g1' } },
  { name: 'tenant rules do not apply without a tenant', rules: [rule('t', { tenantId: 't1' })], tenant: null, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'global rules apply without a tenant', rules: [rule('g1')], tenant: null, expected: { effect: 'allow', rule_id: 'g1' } },
  { name: 'tenant allow overrides a global deny by priority', rules: [rule('g1', { effect: 'deny' }), rule('t', { tenantId: 't1', priority: 10 })], expected: { effect: 'allow', rule_id: 't' } },
  { name: 'global deny with higher priority beats tenant allow', rules: [rule('g1', { effect: 'deny', priority: 10 }), rule('t', { tenantId: 't1', priority: 5 })], expected: { effect: 'deny', rule_id: 'g1' } },
  // priority and ties
  { name: 'higher priority allow beats deny', rules: [rule('d', { effect: 'deny', priority: 1 }), rule('a', { priority: 2 })], expected: { effect: 'allow', rule_id: 'a' } },
  { name: 'higher priority deny beats allow', rules: [rule('d', { effect: 'deny', priority: 2 }), rule('a', { priority: 1 })], expected: { effect: 'deny', rule_id: 'd' } },
  { name: 'negative priorities', rules: [rule('d', { effect: 'deny', priority: -5 }), rule('a', { priority: -1 })], expected: { effect: 'allow', rule_id: 'a' } },
  { name: 'equal priority: deny wins', rules: [rule('a', { priority: 3 }), rule('d', { effect: 'deny', priority: 3 })], expected: { effect: 'deny', rule_id: 'd' } },
  { name: 'equal priority and effect: tenant before global', rules: [rule('a-global'), rule('z-tenant', { tenantId: 't1' })], expected: { rule_id: 'z-tenant' } },
  { name: 'equal priority, effect and scope: smallest id', rules: [rule('b'), rule('a'), rule('c')], expected: { rule_id: 'a' } },
  // inactive
  { name: 'inactive allow', rules: [rule('a', { isActive: false })], expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'inactive deny', rules: [rule('a'), rule('d', { effect: 'deny', priority: 9, isActive: false })], expected: { effect: 'allow', rule_id: 'a' } },
  { name: 'inactive invalid rule is ignored', rules: [rule('a'), rule('bad', { conditions: { nope: 1 }, isActive: false })], expected: { effect: 'allow', rule_id: 'a' } },
  // unknown action
  { name: 'unknown action', rules: [rule('a', { action: 'delete_everything' })], action: 'delete_everything', expected: { effect: 'deny', basis: 'default_deny', rule_id: null, reason: 'unknown action' } },
  { name: 'action is case sensitive', rules: [rule('a', { action: 'SEND_REMINDER' })], action: 'SEND_REMINDER', expected: { effect: 'deny', reason: 'unknown action' } },
  // invalid rules
  { name: 'invalid rule: unknown key', rules: [rule('a'), rule('bad', { conditions: { min_lead: 5 } })], expected: { effect: 'deny', basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule: ill-typed', rules: [rule('a'), rule('bad', { conditions: { min_lead_time_minutes: '60' } })], expected: { effect: 'deny', basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule: an invalid allow still denies', rules: [rule('bad', { conditions: { channels: ['fax'] } })], expected: { effect: 'deny', basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule: null conditions', rules: [rule('a'), rule('bad', { conditions: null })], expected: { effect: 'deny', basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule: unknown effect', rules: [rule('a'), rule('bad', { effect: 'ALLOW' as 'allow' })], expected: { effect: 'deny', basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule competes at its priority', rules: [rule('a', { priority: 5 }), rule('bad', { conditions: { nope: 1 }, priority: 4 })], expected: { effect: 'allow', rule_id: 'a' } },
  { name: 'invalid rule wins a tie with a valid deny', rules: [rule('a-deny', { effect: 'deny' }), rule('bad', { conditions: { nope: 1 } })], expected: { basis: 'invalid_rule', rule_id: 'bad' } },
  { name: 'invalid rule of another tenant is ignored', rules: [rule('a'), rule('bad', { tenantId: 't2', conditions: { nope: 1 } })], expected: { effect: 'allow', rule_id: 'a' } },
  // conditions on rules
  { name: 'min lead 60, lead 59', rules: [rule('a', { conditions: { min_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(59) }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'min lead 60, lead 60', rules: [rule('a', { conditions: { min_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(60) }, expected: { effect: 'allow' } },
  { name: 'min lead 60, lead 61', rules: [rule('a', { conditions: { min_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(61) }, expected: { effect: 'allow' } },
  { name: 'max lead 60, lead 59', rules: [rule('a', { conditions: { max_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(59) }, expected: { effect: 'allow' } },
  { name: 'max lead 60, lead 60', rules: [rule('a', { conditions: { max_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(60) }, expected: { effect: 'allow' } },
  { name: 'max lead 60, lead 61', rules: [rule('a', { conditions: { max_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(61) }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'deny only for late bookings', rules: [rule('a'), rule('d', { effect: 'deny', conditions: { max_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(30) }, expected: { effect: 'deny', rule_id: 'd' } },
  { name: 'deny only for late bookings, early booking', rules: [rule('a'), rule('d', { effect: 'deny', conditions: { max_lead_time_minutes: 60 } })], context: { appointment_start: inMinutes(90) }, expected: { effect: 'allow', rule_id: 'a' } },
  { name: 'channel allowed', rules: [rule('a', { conditions: { channels: ['email'] } })], expected: { effect: 'allow' } },
  { name: 'channel not allowed', rules: [rule('a', { conditions: { channels: ['sms'] } })], expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'channel missing', rules: [rule('a', { conditions: { channels: ['email'] } })], context: { channel: undefined }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'recipient limit not reached', rules: [rule('a', { conditions: { max_per_recipient_per_day: 3 } })], context: { sent_to_recipient_today: 2 }, expected: { effect: 'allow' } },
  { name: 'recipient limit reached', rules: [rule('a', { conditions: { max_per_recipient_per_day: 3 } })], context: { sent_to_recipient_today: 3 }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'recipient counter missing', rules: [rule('a', { conditions: { max_per_recipient_per_day: 3 } })], context: { sent_to_recipient_today: undefined }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'appointment limit not reached', rules: [rule('a', { conditions: { max_per_appointment: 2 } })], context: { sent_for_appointment: 1 }, expected: { effect: 'allow' } },
  { name: 'appointment limit reached', rules: [rule('a', { conditions: { max_per_appointment: 2 } })], context: { sent_for_appointment: 2 }, expected: { effect: 'deny', basis: 'default_deny' } },
  { name: 'a failing higher allow falls back to a lower one', rules: [rule('strict', { priority: 5, conditions: { channels: ['sms'] } }), rule('loose')], expected: { effect: 'allow', rule_id: 'loose' } },
  // quiet hours
  { name: 'outside quiet hours', rules: [rule('a', { conditions: NIGHT_BERLIN })], now: new Date('2026-01-10T12:00:00Z'), expected: { effect: 'allow', rule_id: 'a' } },
  {
    name: 'inside quiet hours: deferred',
    rules: [rule('a', { conditions: NIGHT_BERLIN })],
    now: new Date('2026-01-10T23:00:00Z'),
    expected: { effect: 'deny', basis: 'rule', rule_id: 'a', defer_until: '2026-01-11T06:00:00.000Z', reason: 'deferred until 2026-01-11T06:00:00.000Z: rule a (allow, priority 0) allows send_reminder outside quiet hours 22:00-07:00 Europe/Berlin' },
  },
  { name: 'quiet hours across Berlin spring DST change', rules: [rule('a', { conditions: NIGHT_BERLIN })], now: new Date('2026-03-28T23:30:00Z'), expected: { effect: 'deny', defer_until: '2026-03-29T05:00:00.000Z' } },
  { name: 'quiet hours across Berlin autumn DST change', rules: [rule('a', { conditions: NIGHT_BERLIN })], now: new Date('2026-10-24T22:30:00Z'), expected: { effect: 'deny', defer_until: '2026-10-25T06:00:00.000Z' } },
  {
    name: 'quiet hours across New York DST change',
    rules: [rule('a', { conditions: { quiet_hours: { start: '22:00', end: '07:00', timezone: 'America/New_York' } } })],
    now: new Date('2026-03-08T04:00:00Z'),
    expected: { effect: 'deny', defer_until: '2026-03-08T11:00:00.000Z' },
  },
  { name: 'quiet hours plus another failure: no deferral', rules: [rule('a', { conditions: { ...NIGHT_BERLIN, channels: ['sms'] } })], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'deny', basis: 'default_deny', defer_until: undefined } },
  { name: 'deferral outranks a lower allow', rules: [rule('quiet', { priority: 10, conditions: NIGHT_BERLIN }), rule('any')], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'deny', rule_id: 'quiet', defer_until: '2026-01-11T06:00:00.000Z' } },
  { name: 'a higher allow outranks a deferral', rules: [rule('quiet', { conditions: NIGHT_BERLIN }), rule('any', { priority: 10 })], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'allow', rule_id: 'any' } },
  { name: 'deferral wins an equal-priority allow', rules: [rule('b-quiet', { conditions: NIGHT_BERLIN }), rule('a-any')], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'deny', rule_id: 'b-quiet', defer_until: '2026-01-11T06:00:00.000Z' } },
  { name: 'a higher deny outranks a deferral', rules: [rule('quiet', { conditions: NIGHT_BERLIN }), rule('d', { effect: 'deny', priority: 1 })], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'deny', rule_id: 'd', defer_until: undefined } },
  { name: 'an equal-priority deny outranks a deferral', rules: [rule('a-quiet', { conditions: NIGHT_BERLIN }), rule('z-deny', { effect: 'deny' })], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'deny', rule_id: 'z-deny', defer_until: undefined } },
  { name: 'a deny with quiet hours applies outside them', rules: [rule('a'), rule('d', { effect: 'deny', conditions: NIGHT_BERLIN })], now: new Date('2026-01-10T12:00:00Z'), expected: { effect: 'deny', rule_id: 'd' } },
  { name: 'a deny with quiet hours does not apply inside them', rules: [rule('a'), rule('d', { effect: 'deny', conditions: NIGHT_BERLIN })], now: new Date('2026-01-10T23:00:00Z'), expected: { effect: 'allow', rule_id: 'a' } },
];

describe('evaluatePolicy (table)', () => {
  it.each(CASES)('$name', (c) => {
    const decision = run(c);
    const { defer_until: deferUntil, ...rest } = c.expected;
    expect(decision).toMatchObject(rest);
    if ('defer_until' in c.expected) expect(decision.defer_until).toBe(deferUntil);
    expect(decision.action).toBe(c.action ?? ACTION);
    expect(decision.tenant_id).toBe(c.tenant === undefined ? 't1' : c.tenant);
    expect(decision.evaluated_at).toBe((c.now ?? NOW).toISOString());
    expect(run({ ...c, rules: [...c.rules].reverse() })).toEqual(decision);
  });
});

describe('evaluatePolicy: explanations', () => {
  it('lists the winning rule conditions', () => {
    const decision = evaluatePolicy(
      [rule('a', { conditions: { channels: ['email'], min_lead_time_minutes: 60 } })],
      ACTION,
      't1',
      { ...CONTEXT, appointment_start: inMinutes(90) },
      NOW,
    );
    expect(decision.conditions).toEqual([
      { name: 'min_lead_time_minutes', required: 60, actual: 90, passed: true },
      { name: 'channels', required: ['email'], actual: 'email', passed: true },
    ]);
  });

  it('explains a default deny with the rules that did not match', () => {
    const decision = evaluatePolicy(
      [
        rule('x', { conditions: { min_lead_time_minutes: 60 } }),
        rule('y', { effect: 'deny', priority: 5, conditions: { channels: ['sms'] } }),
        rule('inactive', { isActive: false }),
      ],
      ACTION,
      't1',
      { ...CONTEXT, appointment_start: inMinutes(42) },
      NOW,
    );
    expect(decision.reason).toBe(
      'no active rule allows send_reminder; ' +
        'rule y (deny, priority 5) did not match: channels required [sms], actual email; ' +
        'rule x (allow, priority 0) did not match: min_lead_time_minutes required 60, actual 42',
    );
    // the failed conditions of the highest-priority non-matching rule
    expect(decision.conditions).toEqual([{ name: 'channels', required: ['sms'], actual: 'email', passed: false }]);
  });

  it('prefers an allow rule when explaining at equal priority, and lists only failed conditions', () => {
    const decision = evaluatePolicy(
      [
        rule('d', { effect: 'deny', conditions: { channels: ['sms'] } }),
        rule('a', { conditions: { channels: ['email'], max_per_appointment: 1 } }),
      ],
      ACTION,
      't1',
      { ...CONTEXT, sent_for_appointment: 1 },
      NOW,
    );
    expect(decision.conditions).toEqual([
      { name: 'max_per_appointment', required: 1, actual: 1, passed: false, detail: 'limit reached' },
    ]);
    expect(decision.reason).toContain('rule a (allow, priority 0) did not match: max_per_appointment required 1, actual 1 (limit reached)');
  });

  it('limits the number of listed rules', () => {
    const rules = Array.from({ length: 8 }, (_, i) => rule(`r${i}`, { conditions: { channels: ['sms'] } }));
    const decision = evaluatePolicy(rules, ACTION, 't1', CONTEXT, NOW);
    expect(decision.reason.match(/did not match/g)).toHaveLength(5);
    expect(decision.reason).toMatch(/; and 3 more$/);
  });

  it('names the validation errors of an invalid rule', () => {
    const decision = evaluatePolicy([rule('bad', { priority: 2, conditions: { min_lead_time_minutes: -1, foo: 1 } })], ACTION, 't1', CONTEXT, NOW);
    expect(decision.reason).toBe(
      'rule bad (priority 2) is invalid and counts as deny: min_lead_time_minutes: must be an integer between 0 and 525600; foo: unknown condition; allowed: min_lead_time_minutes, max_lead_time_minutes, channels, max_per_recipient_per_day, max_per_appointment, quiet_hours',
    );
    expect(decision.conditions).toEqual([]);
  });
});

describe('evaluatePolicy: now', () => {
  const quiet = [rule('a', { conditions: { quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } } })];

  it('uses context.now when no now is given (what-if)', () => {
    const decision = evaluatePolicy(quiet, ACTION, 't1', { ...CONTEXT, now: '2026-01-10T23:00:00Z' });
    expect(decision).toMatchObject({ effect: 'deny', defer_until: '2026-01-11T07:00:00.000Z', evaluated_at: '2026-01-10T23:00:00.000Z' });
  });

  it('an explicit now overrides context.now', () => {
    const decision = evaluatePolicy(quiet, ACTION, 't1', { ...CONTEXT, now: '2026-01-10T23:00:00Z' }, new Date('2026-01-10T12:00:00Z'));
    expect(decision).toMatchObject({ effect: 'allow', evaluated_at: '2026-01-10T12:00:00.000Z' });
  });

  it('falls back to the clock when context.now is invalid', () => {
    const before = Date.now();
    const decision = evaluatePolicy([rule('a')], ACTION, 't1', { ...CONTEXT, now: '2026-02-30T10:00:00Z' });
    const at = Date.parse(decision.evaluated_at);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(decision.effect).toBe('allow');
  });

  it('computes lead time from context.now', () => {
    const rules = [rule('a', { conditions: { min_lead_time_minutes: 60 } })];
    const context = { ...CONTEXT, appointment_start: '2026-01-10T12:00:00Z' };
    expect(evaluatePolicy(rules, ACTION, 't1', { ...context, now: '2026-01-10T11:00:00Z' }).effect).toBe('allow');
    expect(evaluatePolicy(rules, ACTION, 't1', { ...context, now: '2026-01-10T11:00:01Z' }).effect).toBe('deny');
  });
});

describe('evaluatePolicy: never throws', () => {
  const throwing = (field: keyof PolicyRule): PolicyRule =>
    Object.defineProperty(rule('boom'), field, {
      get() {
        throw new Error(`getter ${field} exploded`);
      },
    });

  it.each(['conditions', 'priority', 'action', 'tenantId', 'id', 'effect', 'isActive'] as const)(
    'a rule whose %s getter throws -> deny, basis error',
    (field) => {
      const decision = evaluatePolicy([rule('a', { priority: 100 }), throwing(field)], ACTION, 't1', CONTEXT, NOW);
      expect(decision).toMatchObject({ effect: 'deny', basis: 'error', rule_id: null });
      expect(decision.reason).toContain(`getter ${field} exploded`);
    },
  );

  it.each([
    ['null rule', null],
    ['string rule', 'rule'],
    ['NaN priority', rule('x', { priority: Number.NaN })],
    ['string priority', rule('x', { priority: '1' as unknown as number })],
    ['numeric id', rule('x', { id: 1 as unknown as string })],
    ['numeric tenant', rule('x', { tenantId: 1 as unknown as string })],
    ['string isActive', rule('x', { isActive: 'yes' as unknown as boolean })],
  ])('a structurally broken row (%s) -> deny, basis error', (_label, broken) => {
    const decision = evaluatePolicy([rule('a', { priority: 100 }), broken as PolicyRule], ACTION, 't1', CONTEXT, NOW);
    expect(decision).toMatchObject({ effect: 'deny', basis: 'error', rule_id: null });
  });

  it('a broken row that is provably irrelevant is ignored', () => {
    const rules = [
      rule('a'),
      rule('other-action', { action: 'send_confirmation', priority: Number.NaN }),
      rule('other-tenant', { tenantId: 't2', priority: Number.NaN }),
      rule('inactive', { isActive: false, priority: Number.NaN }),
    ];
    expect(evaluatePolicy(rules, ACTION, 't1', CONTEXT, NOW)).toMatchObject({ effect: 'allow', rule_id: 'a' });
  });

  it('a context whose getter throws -> deny, basis error', () => {
    const context = Object.defineProperty({ ...CONTEXT }, 'channel', {
      get() {
        throw new Error('context exploded');
      },
    });
    const decision = evaluatePolicy([rule('a', { conditions: { channels: ['email'] } })], ACTION, 't1', context, NOW);
    expect(decision).toMatchObject({ effect: 'deny', basis: 'error', reason: 'evaluation error: context exploded' });
  });

  it.each([
    ['rules is not an array', null, CONTEXT, NOW],
    ['context is null', [rule('a', { conditions: { channels: ['email'] } })], null, NOW],
    ['now is an invalid Date', [rule('a')], CONTEXT, new Date(Number.NaN)],
  ])('%s -> deny, basis error', (_label, rules, context, now) => {
    const decision = evaluatePolicy(rules as PolicyRule[], ACTION, 't1', context as PolicyContext, now);
    expect(decision).toMatchObject({ effect: 'deny', basis: 'error', rule_id: null, action: ACTION, tenant_id: 't1' });
    expect(Number.isNaN(Date.parse(decision.evaluated_at))).toBe(false);
  });

  it('an error thrown with a hostile message is still reported', () => {
    const hostile = Object.defineProperty(rule('x'), 'conditions', {
      get() {
        throw Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('again');
          },
        });
      },
    });
    expect(evaluatePolicy([hostile], ACTION, 't1', CONTEXT, NOW)).toMatchObject({ effect: 'deny', basis: 'error' });
  });
});

describe('compileRule / evaluateCompiled', () => {
  it('compiles once and evaluates repeatedly with the same result as evaluatePolicy', () => {
    const rules = [
      rule('a', { conditions: { min_lead_time_minutes: 60 } }),
      rule('d', { effect: 'deny', priority: 1, conditions: { channels: ['sms'] } }),
    ];
    const compiled = rules.map(compileRule);
    for (const lead of [30, 90]) {
      const context = { ...CONTEXT, appointment_start: inMinutes(lead) };
      expect(evaluateCompiled(compiled, ACTION, 't1', context, NOW)).toEqual(evaluatePolicy(rules, ACTION, 't1', context, NOW));
    }
  });

  it('reports the status of a compiled rule', () => {
    expect(compileRule(rule('a', { conditions: { channels: ['sms'] } }))).toMatchObject({ status: 'valid', checks: [{ kind: 'channels' }], quietHours: null });
    expect(compileRule(rule('a', { conditions: NIGHT_BERLIN }))).toMatchObject({ status: 'valid', checks: [], quietHours: { kind: 'quiet_hours', startMinute: 1320, endMinute: 420 } });
    expect(compileRule(rule('a', { conditions: [] }))).toMatchObject({ status: 'invalid', effect: 'deny' });
    expect(compileRule(rule('a', { priority: Infinity }))).toMatchObject({ status: 'broken', anyScope: false });
    expect(compileRule(null as unknown as PolicyRule)).toMatchObject({ status: 'broken', anyScope: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const TENANTS = [null, 't1', 't2'] as const;
const ACTIONS = ['send_reminder', 'send_confirmation'] as const;

const conditionsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        min_lead_time_minutes: fc.integer({ min: 0, max: 120 }),
        channels: fc.uniqueArray(fc.constantFrom('email', 'sms', 'webhook', 'log'), { minLength: 1 }),
        max_per_recipient_per_day: fc.integer({ min: 1, max: 3 }),
        max_per_appointment: fc.integer({ min: 1, max: 3 }),
        quiet_hours: fc.record({
          start: fc.constantFrom('22:00', '09:00', '00:00'),
          end: fc.constantFrom('07:00', '17:00'),
          timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
        }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ max_lead_time_minutes: fc.integer({ min: 0, max: 240 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ bogus: true }, { min_lead_time_minutes: 'soon' }, null, []) },
);

const ruleFieldsArb = fc.record({
  tenantId: fc.constantFrom(...TENANTS),
  action: fc.constantFrom(...ACTIONS),
  effect: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
  conditions: conditionsArb,
  priority: fc.integer({ min: -2, max: 2 }),
  isActive: fc.boolean(),
});

/** Rule sets with unique ids (a primary key in the database). */
const rulesArb: fc.Arbitrary<PolicyRule[]> = fc
  .array(ruleFieldsArb, { maxLength: 12 })
  .map((fields) => fields.map((f, i) => ({ id: `r${String(i).padStart(2, '0')}`, ...f })));

const contextArb: fc.Arbitrary<PolicyContext> = fc.record(
  {
    appointment_start: fc.integer({ min: -120, max: 240 }).map((m) => inMinutes(m)),
    channel: fc.constantFrom('email', 'sms', 'webhook', 'log'),
    sent_to_recipient_today: fc.integer({ min: 0, max: 4 }),
    sent_for_appointment: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: [] },
);

const nowArb = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') })
  .map((t) => new Date(Math.floor(t / 60_000) * 60_000));

/** Reference semantics, written independently: rank every applicable outcome and take the first. */
function reference(rules: readonly PolicyRule[], action: string, tenantId: string | null, context: PolicyContext, now: Date): Pick<PolicyDecision, 'effect' | 'basis' | 'rule_id'> {
  const ranked: { rule: PolicyRule; kind: number; effect: 'allow' | 'deny'; basis: 'rule' | 'invalid_rule' }[] = [];
  for (const r of rules) {
    if (!r.isActive || r.action !== action || (r.tenantId !== null && r.tenantId !== tenantId)) continue;
    const compiledRule = compileRule(r);
    if (compiledRule.status === 'invalid') {
      ranked.push({ rule: r, kind: 0, effect: 'deny', basis: 'invalid_rule' });
      continue;
    }
    const lone = evaluatePolicy([{ ...r, effect: 'allow', priority: 0, tenantId: null }], action, null, context, now);
    if (lone.effect === 'allow') ranked.push({ rule: r, kind: r.effect === 'deny' ? 1 : 3, effect: r.effect, basis: 'rule' });
    else if (lone.defer_until !== undefined && r.effect === 'allow') ranked.push({ rule: r, kind: 2, effect: 'deny', basis: 'rule' });
  }
  ranked.sort(
    (a, b) =>
      b.rule.priority - a.rule.priority ||
      a.kind - b.kind ||
      (a.rule.tenantId === null ? 1 : 0) - (b.rule.tenantId === null ? 1 : 0) ||
      (a.rule.id < b.rule.id ? -1 : 1),
  );
  const top = ranked[0];
  if (top === undefined) return { effect: 'deny', basis: 'default_deny', rule_id: null };
  return { effect: top.effect, basis: top.basis, rule_id: top.rule.id };
}

describe('evaluatePolicy (properties)', () => {
  it('never depends on the order of the rows', () => {
    fc.assert(
      fc.property(
        rulesArb.chain((rules) => fc.tuple(fc.constant(rules), fc.shuffledSubarray(rules, { minLength: rules.length }))),
        fc.constantFrom(...TENANTS),
        fc.constantFrom(...ACTIONS),
        contextArb,
        nowArb,
        ([rules, shuffled], tenant, action, context, now) => {
          expect(evaluatePolicy(shuffled, action, tenant, context, now)).toEqual(evaluatePolicy(rules, action, tenant, context, now));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with a brute-force reference', () => {
    fc.assert(
      fc.property(rulesArb, fc.constantFrom(...TENANTS), fc.constantFrom(...ACTIONS), contextArb, nowArb, (rules, tenant, action, context, now) => {
        const decision = evaluatePolicy(rules, action, tenant, context, now);
        expect({ effect: decision.effect, basis: decision.basis, rule_id: decision.rule_id }).toEqual(reference(rules, action, tenant, context, now));
      }),
      { numRuns: 500 },
    );
  });

  it('a matching unconditional deny at or above every allow always yields deny', () => {
    fc.assert(
      fc.property(
        rulesArb,
        fc.constantFrom(...TENANTS),
        fc.constantFrom(...ACTIONS),
        contextArb,
        nowArb,
        fc.nat({ max: 3 }),
        fc.nat(),
        fc.boolean(),
        (rules, tenant, action, context, now, extra, position, global) => {
          const allowPriorities = rules.filter((r) => r.effect === 'allow').map((r) => r.priority);
          const priority = Math.max(-2, ...allowPriorities) + extra;
          const deny = rule('zz-deny', { action, tenantId: global ? null : tenant, effect: 'deny', priority });
          const withDeny = [...rules];
          withDeny.splice(position % (rules.length + 1), 0, deny);
          const decision = evaluatePolicy(withDeny, action, tenant, context, now);
          expect(decision.effect).toBe('deny');
          expect(decision.defer_until).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('adding any deny rule never turns a deny into an allow', () => {
    fc.assert(
      fc.property(rulesArb, ruleFieldsArb, fc.constantFrom(...TENANTS), fc.constantFrom(...ACTIONS), contextArb, nowArb, (rules, fields, tenant, action, context, now) => {
        const before = evaluatePolicy(rules, action, tenant, context, now);
        const after = evaluatePolicy([...rules, { ...fields, id: 'new-deny', effect: 'deny' }], action, tenant, context, now);
        if (before.effect === 'deny') expect(after.effect).toBe('deny');
      }),
      { numRuns: 500 },
    );
  });

  it('compiled rules reused across many instants decide like freshly compiled ones (memoisation)', () => {
    const quietRules = [
      rule('berlin', { priority: 1, conditions: { quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } } }),
      rule('ny', { tenantId: 't1', conditions: { quiet_hours: { start: '21:30', end: '08:15', timezone: 'America/New_York' } } }),
    ];
    const compiled = quietRules.map(compileRule);
    const instants = fc.array(
      fc.integer({ min: Date.parse('2026-03-06T00:00:00Z'), max: Date.parse('2026-03-31T00:00:00Z') }).map((t) => new Date(t)),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(instants, (nows) => {
        for (const now of nows) {
          expect(evaluateCompiled(compiled, ACTION, 't1', CONTEXT, now)).toEqual(evaluatePolicy(quietRules, ACTION, 't1', CONTEXT, now));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a deferral is always a deny whose defer_until lies in the future and ends the quiet window', () => {
    fc.assert(
      fc.property(rulesArb, fc.constantFrom(...TENANTS), fc.constantFrom(...ACTIONS), contextArb, nowArb, (rules, tenant, action, context, now) => {
        const decision = evaluatePolicy(rules, action, tenant, context, now);
        if (decision.defer_until === undefined) return;
        expect(decision.effect).toBe('deny');
        expect(Date.parse(decision.defer_until)).toBeGreaterThan(now.getTime());
        const deferring = rules.find((r) => r.id === decision.rule_id)!;
        const later = evaluatePolicy([{ ...deferring, tenantId: null, priority: 0 }], action, null, context, new Date(decision.defer_until));
        expect(later.defer_until).toBeUndefined();
        expect(later.conditions.some((c) => c.name === 'quiet_hours' && !c.passed)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
