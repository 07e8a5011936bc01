import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeNewRule, analyzeRules, type PolicyWarning } from './policy-analysis.js';
import { evaluatePolicy } from './policy-evaluator.js';
import type { PolicyContext, PolicyRule } from './policy.types.js';

const ACTION = 'send_reminder';

function rule(id: string, overrides: Partial<PolicyRule> = {}): PolicyRule {
  return { id, tenantId: null, action: ACTION, effect: 'allow', conditions: {}, priority: 0, isActive: true, ...overrides };
}

const pairs = (warnings: PolicyWarning[]): [string, string, string][] =>
  warnings.map((w) => [w.kind, w.rule_id, w.other_rule_id]);

const NIGHT = { quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } };

describe('analyzeRules: shadowed', () => {
  it.each<[string, PolicyRule[], [string, string, string][]]>([
    ['higher unconditional deny shadows an allow', [rule('a'), rule('d', { effect: 'deny', priority: 1 })], [['shadowed', 'a', 'd']]],
    ['equal-priority unconditional deny shadows an allow', [rule('a'), rule('d', { effect: 'deny' })], [['shadowed', 'a', 'd']]],
    ['higher unconditional allow shadows a deny', [rule('d', { effect: 'deny' }), rule('a', { priority: 1 })], [['shadowed', 'd', 'a']]],
    ['higher allow shadows a lower allow', [rule('low'), rule('high', { priority: 1 })], [['shadowed', 'low', 'high']]],
    ['equal-priority allows do not shadow each other', [rule('a'), rule('b')], []],
    ['equal-priority deny does not shadow a deny', [rule('d1', { effect: 'deny' }), rule('d2', { effect: 'deny' })], []],
    ['lower priority does not shadow', [rule('a', { priority: 1, conditions: { channels: ['sms'] } }), rule('d', { effect: 'deny' })], []],
    ['global covers a tenant rule', [rule('t', { tenantId: 't1' }), rule('g', { effect: 'deny', priority: 1 })], [['shadowed', 't', 'g']]],
    ['a tenant rule does not cover a global one', [rule('g'), rule('t', { tenantId: 't1', effect: 'deny', priority: 1 })], []],
    ['same tenant covers', [rule('t', { tenantId: 't1' }), rule('u', { tenantId: 't1', effect: 'deny', priority: 1 })], [['shadowed', 't', 'u']]],
    ['another tenant does not cover', [rule('t', { tenantId: 't1' }), rule('u', { tenantId: 't2', effect: 'deny', priority: 1 })], []],
    ['another action does not shadow', [rule('a'), rule('d', { action: 'send_confirmation', effect: 'deny', priority: 1 })], []],
    ['an inactive rule does not shadow', [rule('a'), rule('d', { effect: 'deny', priority: 1, isActive: false })], []],
    ['an inactive rule is not reported', [rule('a', { isActive: false }), rule('d', { effect: 'deny', priority: 1 })], []],
    [
      'looser lead time shadows a tighter one',
      [rule('a', { conditions: { min_lead_time_minutes: 120, max_lead_time_minutes: 600, channels: ['sms'] } }), rule('d', { effect: 'deny', priority: 1, conditions: { min_lead_time_minutes: 60, max_lead_time_minutes: 600 } })],
      [['shadowed', 'a', 'd']],
    ],
    ['a tighter minimum does not shadow', [rule('a', { conditions: { min_lead_time_minutes: 30 } }), rule('d', { effect: 'deny', priority: 1, conditions: { min_lead_time_minutes: 60 } })], []],
    ['a tighter maximum does not shadow', [rule('a', { conditions: { max_lead_time_minutes: 90 } }), rule('d', { effect: 'deny', priority: 1, conditions: { max_lead_time_minutes: 60 } })], []],
    ['a condition the other lacks does not shadow', [rule('a'), rule('d', { effect: 'deny', priority: 1, conditions: { min_lead_time_minutes: 0 } })], []],
    ['channel superset shadows', [rule('a', { conditions: { channels: ['sms'] } }), rule('d', { effect: 'deny', priority: 1, conditions: { channels: ['email', 'sms'] } })], [['shadowed', 'a', 'd']]],
    ['channel non-superset does not shadow', [rule('a', { conditions: { channels: ['sms', 'webhook'] } }), rule('d', { effect: 'deny', priority: 1, conditions: { channels: ['email', 'sms'] } })], []],
    ['looser counter shadows', [rule('a', { conditions: { max_per_recipient_per_day: 3 } }), rule('d', { effect: 'deny', priority: 1, conditions: { max_per_recipient_per_day: 5 } })], [['shadowed', 'a', 'd']]],
    ['tighter counter does not shadow', [rule('a', { conditions: { max_per_appointment: 10 } }), rule('d', { effect: 'deny', priority: 1, conditions: { max_per_appointment: 5 } })], []],
    ['higher allow with identical quiet hours shadows', [rule('a', { conditions: { ...NIGHT, channels: ['sms'] } }), rule('b', { priority: 1, conditions: NIGHT })], [['shadowed', 'a', 'b']]],
    ['different quiet hours do not shadow', [rule('a', { conditions: NIGHT }), rule('b', { priority: 1, conditions: { quiet_hours: { ...NIGHT.quiet_hours, end: '06:00' } } })], []],
    // inside the window the allow defers (a deny) while the deny does not match
    ['a deny with the same quiet hours does not shadow an allow', [rule('a', { conditions: NIGHT }), rule('d', { effect: 'deny', priority: 1, conditions: NIGHT })], []],
    ['an invalid rule is an always-matching deny', [rule('a'), rule('bad', { priority: 1, conditions: { nope: 1 } })], [['shadowed', 'a', 'bad']]],
    ['an invalid rule can be shadowed', [rule('bad', { conditions: { nope: 1 } }), rule('a', { priority: 1 })], [['shadowed', 'bad', 'a']]],
    ['a broken row is ignored', [rule('a'), rule('broken', { effect: 'deny', priority: Number.NaN })], []],
  ])('%s', (_label, rules, expected) => {
    expect(pairs(analyzeRules(rules))).toEqual(expected);
  });

  it('reports every shadowing rule, sorted deterministically, with a readable message', () => {
    const warnings = analyzeRules([rule('d2', { effect: 'deny', priority: 2 }), rule('a', { tenantId: 't1' }), rule('d1', { effect: 'deny', priority: 1 })]);
    expect(pairs(warnings)).toEqual([
      ['shadowed', 'a', 'd1'],
      ['shadowed', 'a', 'd2'],
      ['shadowed', 'd1', 'd2'],
    ]);
    expect(warnings[0]).toEqual({
      kind: 'shadowed',
      rule_id: 'a',
      other_rule_id: 'd1',
      action: ACTION,
      message: 'rule a (allow, priority 0, tenant t1) can never win: rule d1 (deny, priority 1, global) outranks it and matches whenever it does',
    });
  });
});

describe('analyzeRules: allow/deny tie', () => {
  it.each<[string, PolicyRule[], [string, string, string][]]>([
    ['overlapping conditions', [rule('a'), rule('d', { effect: 'deny', conditions: { channels: ['sms'] } })], [['allow_deny_tie', 'a', 'd']]],
    ['different priorities', [rule('a', { conditions: { min_lead_time_minutes: 10 } }), rule('d', { effect: 'deny', priority: -1, conditions: { channels: ['sms'] } })], []],
    ['disjoint channels', [rule('a', { conditions: { channels: ['email'] } }), rule('d', { effect: 'deny', conditions: { channels: ['sms'] } })], []],
    ['shared channel', [rule('a', { conditions: { channels: ['email', 'log'] } }), rule('d', { effect: 'deny', conditions: { channels: ['sms', 'log'] } })], [['allow_deny_tie', 'a', 'd']]],
    ['disjoint lead times', [rule('a', { conditions: { min_lead_time_minutes: 60 } }), rule('d', { effect: 'deny', conditions: { max_lead_time_minutes: 59 } })], []],
    ['touching lead times', [rule('a', { conditions: { min_lead_time_minutes: 60 } }), rule('d', { effect: 'deny', conditions: { max_lead_time_minutes: 60 } })], [['allow_deny_tie', 'a', 'd']]],
    ['different tenants', [rule('a', { tenantId: 't1' }), rule('d', { tenantId: 't2', effect: 'deny', conditions: { channels: ['sms'] } })], []],
    ['global and tenant', [rule('a', { tenantId: 't1' }), rule('d', { effect: 'deny', conditions: { channels: ['sms'] } })], [['allow_deny_tie', 'a', 'd']]],
    ['an inactive deny', [rule('a'), rule('d', { effect: 'deny', isActive: false, conditions: { channels: ['sms'] } })], []],
    ['two allows', [rule('a'), rule('b', { conditions: { channels: ['sms'] } })], []],
  ])('%s', (_label, rules, expected) => {
    expect(pairs(analyzeRules(rules))).toEqual(expected);
  });

  it('reports a shadowing deny once, as shadowed', () => {
    expect(pairs(analyzeRules([rule('a', { conditions: { channels: ['sms'] } }), rule('d', { effect: 'deny' })]))).toEqual([['shadowed', 'a', 'd']]);
  });

  it('has a readable message', () => {
    const [warning] = analyzeRules([rule('a'), rule('d', { effect: 'deny', conditions: { channels: ['sms'] } })]);
    expect(warning!.message).toBe(
      'rule a (allow, priority 0, global) and rule d (deny, priority 0, global) have equal priority and can both match; deny wins',
    );
  });
});

describe('analyzeNewRule', () => {
  const existing = [
    rule('g-deny', { effect: 'deny', priority: 5, conditions: { channels: ['sms'] } }),
    rule('t-allow', { tenantId: 't1', priority: 1 }),
    rule('other', { action: 'send_confirmation', effect: 'deny', priority: 9 }),
  ];

  it('existing rules already warn among themselves, which analyzeNewRule leaves out', () => {
    expect(pairs(analyzeRules([...existing, rule('x', { tenantId: 't1', effect: 'deny', priority: 9 })]))).toEqual([['shadowed', 't-allow', 'x']]);
  });

  it('reports a new rule that can never win', () => {
    expect(pairs(analyzeNewRule(rule('new', { tenantId: 't1', priority: 4, conditions: { channels: ['sms'] } }), existing))).toEqual([
      ['shadowed', 'new', 'g-deny'],
    ]);
  });

  it('reports existing rules that the new rule shadows', () => {
    expect(pairs(analyzeNewRule(rule('new', { tenantId: 't1', effect: 'deny', priority: 10 }), existing))).toEqual([['shadowed', 't-allow', 'new']]);
  });

  it('does not report warnings that do not involve the new rule', () => {
    const withShadow = [...existing, rule('x', { tenantId: 't1', effect: 'deny', priority: 9 })];
    expect(pairs(analyzeNewRule(rule('new', { tenantId: 't2', conditions: { channels: ['email'] } }), withShadow))).toEqual([]);
  });

  it('replaces an existing rule with the same id', () => {
    const withX = [...existing, rule('x', { tenantId: 't1', effect: 'deny', priority: 9 })];
    // the old x (deny, priority 9) would shadow t-allow; the new x is an allow below it
    expect(pairs(analyzeNewRule(rule('x', { tenantId: 't1', priority: 0 }), withX))).toEqual([['shadowed', 'x', 't-allow']]);
  });

  it('an inactive new rule yields no warnings', () => {
    expect(analyzeNewRule(rule('new', { tenantId: 't1', effect: 'deny', priority: 10, isActive: false }), existing)).toEqual([]);
  });

  it('reports a tie involving the new rule', () => {
    expect(pairs(analyzeNewRule(rule('new', { tenantId: 't1', effect: 'deny', priority: 1, conditions: { channels: ['sms'] } }), existing))).toEqual([
      ['shadowed', 'new', 'g-deny'],
      ['allow_deny_tie', 't-allow', 'new'],
    ]);
  });
});

describe('analyzeRules (properties)', () => {
  const TENANTS = [null, 't1', 't2'] as const;
  const conditionsArb = fc.oneof(
    fc.constant({}),
    fc.record(
      {
        min_lead_time_minutes: fc.constantFrom(0, 60, 120),
        max_lead_time_minutes: fc.constantFrom(120, 240),
        channels: fc.uniqueArray(fc.constantFrom('email', 'sms'), { minLength: 1 }),
        max_per_recipient_per_day: fc.integer({ min: 1, max: 3 }),
        quiet_hours: fc.constant(NIGHT.quiet_hours),
      },
      { requiredKeys: [] },
    ),
    fc.constant({ invalid: true }),
  );
  const rulesArb = fc
    .array(
      fc.record({
        tenantId: fc.constantFrom(...TENANTS),
        effect: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
        conditions: conditionsArb,
        priority: fc.integer({ min: 0, max: 2 }),
        isActive: fc.boolean(),
      }),
      { maxLength: 8 },
    )
    .map((fields) => fields.map((f, i): PolicyRule => ({ id: `r${i}`, action: ACTION, ...f })));
  const contextArb: fc.Arbitrary<PolicyContext> = fc.record(
    {
      appointment_start: fc.integer({ min: -60, max: 300 }).map((m) => new Date(Date.parse('2026-05-04T10:00:00Z') + m * 60_000).toISOString()),
      channel: fc.constantFrom('email', 'sms'),
      sent_to_recipient_today: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: [] },
  );

  it('a rule reported as shadowed never decides, in any tenant, context or time (soundness)', () => {
    fc.assert(
      fc.property(
        rulesArb,
        fc.array(fc.tuple(fc.constantFrom(...TENANTS), contextArb, fc.constantFrom('2026-05-04T10:00:00Z', '2026-05-04T23:00:00Z')), { minLength: 1, maxLength: 10 }),
        (rules, situations) => {
          const shadowed = new Set(analyzeRules(rules).filter((w) => w.kind === 'shadowed').map((w) => w.rule_id));
          for (const [tenant, context, now] of situations) {
            const decision = evaluatePolicy(rules, ACTION, tenant, context, new Date(now));
            if (decision.rule_id !== null) expect(shadowed.has(decision.rule_id)).toBe(false);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('is independent of row order', () => {
    fc.assert(
      fc.property(
        rulesArb.chain((rules) => fc.tuple(fc.constant(rules), fc.shuffledSubarray(rules, { minLength: rules.length }))),
        ([rules, shuffled]) => {
          expect(analyzeRules(shuffled)).toEqual(analyzeRules(rules));
        },
      ),
    );
  });
});
