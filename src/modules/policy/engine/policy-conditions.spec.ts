import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateConditions,
  formatConditionResult,
  validateConditions,
  type PolicyConditions,
} from './policy-conditions.js';
import type { PolicyContext } from './policy.types.js';

const NOW = new Date('2026-05-04T10:00:00.000Z');
const inMinutes = (minutes: number, from: Date = NOW): string =>
  new Date(from.getTime() + minutes * 60_000).toISOString();

function valid(raw: unknown): PolicyConditions {
  const result = validateConditions(raw);
  if (!result.ok) throw new Error(`expected valid conditions: ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errorPaths(raw: unknown): string[] {
  const result = validateConditions(raw);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((e) => e.path);
}

describe('validateConditions: accepts', () => {
  it.each([
    [{}],
    [{ min_lead_time_minutes: 0 }],
    [{ min_lead_time_minutes: 60, max_lead_time_minutes: 60 }],
    [{ max_lead_time_minutes: 525_600 }],
    [{ channels: ['email', 'sms', 'webhook', 'log'] }],
    [{ max_per_recipient_per_day: 1, max_per_appointment: 1_000_000 }],
    [{ quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } }],
    [{ quiet_hours: { start: '00:00', end: '23:59', timezone: 'UTC' } }],
    [JSON.parse('{"min_lead_time_minutes": 30, "channels": ["sms"]}')],
  ])('%j', (raw) => {
    expect(valid(raw)).toEqual(raw);
  });

  it('returns a fresh frozen value that does not alias the input', () => {
    const raw = { channels: ['sms'], quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } };
    const value = valid(raw);
    raw.channels.push('email');
    raw.quiet_hours.start = '01:00';
    expect(value).toEqual({ channels: ['sms'], quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } });
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.channels)).toBe(true);
    expect(Object.isFrozen(value.quiet_hours)).toBe(true);
  });

  it('accepts a null-prototype object and normalises -0', () => {
    const raw = Object.assign(Object.create(null) as object, { min_lead_time_minutes: -0 });
    expect(Object.is(valid(raw).min_lead_time_minutes, 0)).toBe(true);
  });
});

describe('validateConditions: rejects', () => {
  const throwingGetter = Object.defineProperty({}, 'min_lead_time_minutes', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  const hostileProxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('trap');
      },
    },
  );
  let deep: unknown = '22:00';
  for (let i = 0; i < 10_000; i++) deep = { start: deep };

  it.each([
    ['null', null, ['']],
    ['undefined', undefined, ['']],
    ['array', [], ['']],
    ['string', '{}', ['']],
    ['number', 42, ['']],
    ['Date', new Date(), ['']],
    ['Map', new Map(), ['']],
    ['class instance prototype', Object.create({ min_lead_time_minutes: 1 }), ['']],
    ['unknown key', { min_lead_time: 60 }, ['min_lead_time']],
    ['__proto__ key', JSON.parse('{"__proto__": {"min_lead_time_minutes": 1}}'), ['__proto__']],
    ['constructor key', { constructor: { prototype: {} } }, ['constructor']],
    ['prototype key', { prototype: 1 }, ['prototype']],
    ['symbol key', { [Symbol('x')]: 1 }, ['']],
    ['string number', { min_lead_time_minutes: '60' }, ['min_lead_time_minutes']],
    ['fraction', { min_lead_time_minutes: 1.5 }, ['min_lead_time_minutes']],
    ['negative', { max_lead_time_minutes: -1 }, ['max_lead_time_minutes']],
    ['too large', { max_lead_time_minutes: 525_601 }, ['max_lead_time_minutes']],
    ['NaN', { min_lead_time_minutes: Number.NaN }, ['min_lead_time_minutes']],
    ['Infinity', { min_lead_time_minutes: Infinity }, ['min_lead_time_minutes']],
    ['bigint', { min_lead_time_minutes: 60n }, ['min_lead_time_minutes']],
    ['null value', { min_lead_time_minutes: null }, ['min_lead_time_minutes']],
    ['min > max', { min_lead_time_minutes: 61, max_lead_time_minutes: 60 }, ['min_lead_time_minutes']],
    ['zero counter', { max_per_recipient_per_day: 0 }, ['max_per_recipient_per_day']],
    ['huge counter', { max_per_appointment: 1_000_001 }, ['max_per_appointment']],
    ['empty channels', { channels: [] }, ['channels']],
    ['channels not array', { channels: 'sms' }, ['channels']],
    ['unknown channel', { channels: ['sms', 'fax'] }, ['channels[1]']],
    ['duplicate channel', { channels: ['sms', 'sms'] }, ['channels[1]']],
    ['sparse channels', { channels: [, 'sms'] }, ['channels[0]']],
    ['too many channels', { channels: ['sms', 'email', 'log', 'webhook', 'sms'] }, ['channels']],
    ['channel object', { channels: [{ toString: () => 'sms' }] }, ['channels[0]']],
    ['quiet_hours string', { quiet_hours: '22:00-07:00' }, ['quiet_hours']],
    ['quiet_hours array', { quiet_hours: ['22:00', '07:00', 'UTC'] }, ['quiet_hours']],
    [
      'quiet_hours extra key',
      { quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC', days: [1] } },
      ['quiet_hours.days'],
    ],
    ['quiet_hours missing timezone', { quiet_hours: { start: '22:00', end: '07:00' } }, ['quiet_hours.timezone']],
    [
      'quiet_hours bad timezone',
      { quiet_hours: { start: '22:00', end: '07:00', timezone: 'Mars/Olympus' } },
      ['quiet_hours.timezone'],
    ],
    [
      'quiet_hours offset timezone',
      { quiet_hours: { start: '22:00', end: '07:00', timezone: '+01:00' } },
      ['quiet_hours.timezone'],
    ],
    ['quiet_hours 24:00', { quiet_hours: { start: '22:00', end: '24:00', timezone: 'UTC' } }, ['quiet_hours.end']],
    ['quiet_hours H:MM', { quiet_hours: { start: '7:00', end: '09:00', timezone: 'UTC' } }, ['quiet_hours.start']],
    ['quiet_hours empty window', { quiet_hours: { start: '09:00', end: '09:00', timezone: 'UTC' } }, ['quiet_hours.end']],
    ['quiet_hours deep nesting', { quiet_hours: { start: deep, end: '07:00', timezone: 'UTC' } }, ['quiet_hours.start']],
    ['throwing getter', throwingGetter, ['min_lead_time_minutes']],
    ['throwing proxy', hostileProxy, ['']],
  ])('%s', (_label, raw, paths) => {
    expect(errorPaths(raw)).toEqual(paths);
  });

  it('does not echo huge keys or values back', () => {
    const key = 'k'.repeat(1_000_000);
    const result = validateConditions({ [key]: 1, quiet_hours: { start: 'x'.repeat(1_000_000), end: '07:00', timezone: 'UTC' } });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result).length).toBeLessThan(2_000);
  });

  it('caps the number of reported errors', () => {
    const raw = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const result = validateConditions(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? 0 : result.errors.length).toBe(20);
  });

  it('reports every problem, not only the first', () => {
    expect(
      errorPaths({ min_lead_time_minutes: 'x', channels: [], bogus: 1, quiet_hours: { start: 'x', end: 'y', timezone: 'z' } }),
    ).toEqual(['min_lead_time_minutes', 'channels', 'bogus', 'quiet_hours.start', 'quiet_hours.end', 'quiet_hours.timezone']);
  });

  it('never throws on arbitrary input (property)', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'min_lead_time_minutes', 'channels', 'quiet_hours'),
    );
    fc.assert(
      fc.property(fc.anything({ key, maxDepth: 6, withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }), (raw) => {
        const result = validateConditions(raw);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('does not pollute Object.prototype', () => {
    validateConditions(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validateConditions: round trip (property)', () => {
  const arbitraryConditions = fc
    .record(
      {
        min_lead_time_minutes: fc.integer({ min: 0, max: 1_000 }),
        max_lead_time_minutes: fc.integer({ min: 1_000, max: 525_600 }),
        channels: fc.uniqueArray(fc.constantFrom('email', 'sms', 'webhook', 'log'), { minLength: 1 }),
        max_per_recipient_per_day: fc.integer({ min: 1, max: 1_000_000 }),
        max_per_appointment: fc.integer({ min: 1, max: 1_000_000 }),
        quiet_hours: fc.record({
          start: fc.constantFrom('00:00', '07:30', '22:00'),
          end: fc.constantFrom('06:00', '23:59'),
          timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
        }),
      },
      { requiredKeys: [] },
    );

  it('accepts every well-formed condition set unchanged', () => {
    fc.assert(
      fc.property(arbitraryConditions, (raw) => {
        expect(valid(raw)).toEqual(raw);
      }),
    );
  });
});

describe('evaluateConditions: lead time boundaries', () => {
  it.each([
    ['min', 59, false, 59],
    ['min', 60, true, 60],
    ['min', 61, true, 61],
    ['max', 59, true, 59],
    ['max', 60, true, 60],
    ['max', 61, false, 61],
  ] as const)('%s_lead_time_minutes 60 with lead %d minutes -> %s', (kind, lead, passed, actual) => {
    const conditions = valid({ [`${kind}_lead_time_minutes`]: 60 });
    const outcome = evaluateConditions(conditions, { appointment_start: inMinutes(lead) }, NOW);
    expect(outcome.passed).toBe(passed);
    expect(outcome.results).toEqual([{ name: `${kind}_lead_time_minutes`, required: 60, actual, passed }]);
  });

  it('compares exactly and shows a value rounded towards the failure', () => {
    const start = new Date(NOW.getTime() + 60 * 60_000 - 1_000).toISOString(); // 59m59s
    const min = evaluateConditions(valid({ min_lead_time_minutes: 60 }), { appointment_start: start }, NOW);
    expect(min.results[0]).toMatchObject({ passed: false, actual: 59.98 });
    const late = new Date(NOW.getTime() + 60 * 60_000 + 1_000).toISOString(); // 60m01s
    const max = evaluateConditions(valid({ max_lead_time_minutes: 60 }), { appointment_start: late }, NOW);
    expect(max.results[0]).toMatchObject({ passed: false, actual: 60.02 });
  });

  it.each([
    ['past appointment fails a minimum', { min_lead_time_minutes: 0 }, -30, false],
    ['past appointment passes a maximum', { max_lead_time_minutes: 60 }, -30, true],
  ])('%s', (_label, raw, lead, passed) => {
    const outcome = evaluateConditions(valid(raw), { appointment_start: inMinutes(lead) }, NOW);
    expect(outcome.passed).toBe(passed);
    expect(outcome.results[0]!.actual).toBe(-30);
  });

  it.each([
    ['missing', {}],
    ['not ISO', { appointment_start: 'tomorrow' }],
    ['no offset', { appointment_start: '2026-05-04T12:00:00' }],
    ['impossible date', { appointment_start: '2026-02-30T12:00:00Z' }],
    ['wrong type', { appointment_start: 1_777_000_000_000 as unknown as string }],
  ])('fails with a detail when appointment_start is %s', (_label, context) => {
    const outcome = evaluateConditions(valid({ min_lead_time_minutes: 0, max_lead_time_minutes: 10 }), context, NOW);
    expect(outcome.passed).toBe(false);
    for (const result of outcome.results) {
      expect(result).toMatchObject({ passed: false, actual: null });
      expect(result.detail).toMatch(/appointment_start/);
    }
  });
});

describe('evaluateConditions: channels and counters', () => {
  it.each([
    [{ channels: ['email', 'sms'] }, { channel: 'sms' }, true, 'sms'],
    [{ channels: ['email'] }, { channel: 'sms' }, false, 'sms'],
    [{ channels: ['email'] }, { channel: 'EMAIL' }, false, 'EMAIL'],
    [{ channels: ['email'] }, {}, false, null],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: 2 }, true, 2],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: 3 }, false, 3],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: 4 }, false, 4],
    [{ max_per_recipient_per_day: 3 }, {}, false, null],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: -1 }, false, -1],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: 1.5 }, false, 1.5],
    [{ max_per_recipient_per_day: 3 }, { sent_to_recipient_today: '1' as unknown as number }, false, '1'],
    [{ max_per_appointment: 1 }, { sent_for_appointment: 0 }, true, 0],
    [{ max_per_appointment: 1 }, { sent_for_appointment: 1 }, false, 1],
    [{ max_per_appointment: 1 }, { sent_to_recipient_today: 0 }, false, null],
  ] as [object, PolicyContext, boolean, unknown][])('%j with %j -> %s', (raw, context, passed, actual) => {
    const outcome = evaluateConditions(valid(raw), context, NOW);
    expect(outcome.passed).toBe(passed);
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]).toMatchObject({ passed, actual });
    if (actual === null) expect(outcome.results[0]!.detail).toMatch(/missing/);
    expect(outcome.deferUntil).toBeUndefined();
  });

  it('evaluates every condition, without short circuit, in canonical order', () => {
    const outcome = evaluateConditions(
      valid({ max_per_appointment: 1, channels: ['sms'], min_lead_time_minutes: 60 }),
      { appointment_start: inMinutes(30), channel: 'email', sent_for_appointment: 0 },
      NOW,
    );
    expect(outcome.results.map((r) => [r.name, r.passed])).toEqual([
      ['min_lead_time_minutes', false],
      ['channels', false],
      ['max_per_appointment', true],
    ]);
  });
});

describe('evaluateConditions: quiet hours', () => {
  const night = (timezone: string): PolicyConditions =>
    valid({ quiet_hours: { start: '22:00', end: '07:00', timezone } });

  it.each([
    ['before the window', '2026-01-10T20:59:00Z', 'Europe/Berlin', '21:59', undefined],
    ['window start is inclusive', '2026-01-10T21:00:00Z', 'Europe/Berlin', '22:00', '2026-01-11T06:00:00.000Z'],
    ['across midnight', '2026-01-10T23:30:00Z', 'Europe/Berlin', '00:30', '2026-01-11T06:00:00.000Z'],
    ['last minute', '2026-01-11T05:59:00Z', 'Europe/Berlin', '06:59', '2026-01-11T06:00:00.000Z'],
    ['window end is exclusive', '2026-01-11T06:00:00Z', 'Europe/Berlin', '07:00', undefined],
    ['Berlin spring forward 2026-03-29', '2026-03-28T23:30:00Z', 'Europe/Berlin', '00:30', '2026-03-29T05:00:00.000Z'],
    ['Berlin, after the spring jump', '2026-03-29T01:30:00Z', 'Europe/Berlin', '03:30', '2026-03-29T05:00:00.000Z'],
    ['Berlin fall back 2026-10-25', '2026-10-24T22:30:00Z', 'Europe/Berlin', '00:30', '2026-10-25T06:00:00.000Z'],
    ['Berlin, in the repeated hour', '2026-10-25T01:30:00Z', 'Europe/Berlin', '02:30', '2026-10-25T06:00:00.000Z'],
    ['New York spring forward 2026-03-08', '2026-03-08T04:00:00Z', 'America/New_York', '23:00', '2026-03-08T11:00:00.000Z'],
    ['New York fall back 2026-11-01', '2026-11-01T04:30:00Z', 'America/New_York', '00:30', '2026-11-01T12:00:00.000Z'],
  ])('%s', (_label, now, zone, localTime, deferUntil) => {
    const outcome = evaluateConditions(night(zone), {}, new Date(now));
    expect(outcome.passed).toBe(deferUntil === undefined);
    expect(outcome.deferUntil).toBe(deferUntil);
    expect(outcome.results[0]).toMatchObject({
      name: 'quiet_hours',
      required: { start: '22:00', end: '07:00', timezone: zone },
      actual: localTime,
    });
    if (deferUntil !== undefined) expect(outcome.results[0]!.detail).toBe(`inside quiet hours until ${deferUntil}`);
  });

  it('defers to the DST transition when the window ends in the non-existent hour', () => {
    const conditions = valid({ quiet_hours: { start: '22:00', end: '02:30', timezone: 'Europe/Berlin' } });
    const outcome = evaluateConditions(conditions, {}, new Date('2026-03-29T00:15:00Z'));
    expect(outcome.deferUntil).toBe('2026-03-29T01:00:00.000Z');
    // and at that instant the window is over
    expect(evaluateConditions(conditions, {}, new Date(outcome.deferUntil!)).passed).toBe(true);
  });

  it('fails with deferUntil even when another condition fails too', () => {
    const conditions = valid({ channels: ['sms'], quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } });
    const outcome = evaluateConditions(conditions, { channel: 'email' }, new Date('2026-01-10T23:00:00Z'));
    expect(outcome.passed).toBe(false);
    expect(outcome.deferUntil).toBe('2026-01-11T07:00:00.000Z');
  });

  it('a same-day window', () => {
    const conditions = valid({ quiet_hours: { start: '12:00', end: '14:00', timezone: 'UTC' } });
    expect(evaluateConditions(conditions, {}, new Date('2026-01-10T11:59:59Z')).passed).toBe(true);
    expect(evaluateConditions(conditions, {}, new Date('2026-01-10T13:00:00Z')).deferUntil).toBe(
      '2026-01-10T14:00:00.000Z',
    );
    expect(evaluateConditions(conditions, {}, new Date('2026-01-10T23:00:00Z')).passed).toBe(true);
  });
});

describe('formatConditionResult', () => {
  it.each([
    [
      { name: 'min_lead_time_minutes', required: 60, actual: 42, passed: false },
      'min_lead_time_minutes: required 60, actual 42, failed',
    ],
    [{ name: 'max_lead_time_minutes', required: 60, actual: 59, passed: true }, 'max_lead_time_minutes: required 60, actual 59, passed'],
    [
      { name: 'channels', required: ['email', 'sms'], actual: 'webhook', passed: false },
      'channels: required [email, sms], actual webhook, failed',
    ],
    [
      { name: 'min_lead_time_minutes', required: 60, actual: null, passed: false, detail: 'appointment_start missing' },
      'min_lead_time_minutes: required 60, actual missing, failed (appointment_start missing)',
    ],
    [
      {
        name: 'quiet_hours',
        required: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
        actual: '23:15',
        passed: false,
        detail: 'inside quiet hours until 2026-01-11T06:00:00.000Z',
      },
      'quiet_hours: required 22:00-07:00 Europe/Berlin, actual 23:15, failed (inside quiet hours until 2026-01-11T06:00:00.000Z)',
    ],
    [
      { name: 'channels', required: ['sms'], actual: 'x'.repeat(1_000), passed: false },
      `channels: required [sms], actual ${'x'.repeat(64)}…, failed`,
    ],
  ])('%j', (result, expected) => {
    expect(formatConditionResult(result)).toBe(expected);
  });

  it('formats what evaluateConditions produces', () => {
    const outcome = evaluateConditions(valid({ min_lead_time_minutes: 60 }), { appointment_start: inMinutes(42) }, NOW);
    expect(outcome.results.map(formatConditionResult)).toEqual(['min_lead_time_minutes: required 60, actual 42, failed']);
  });
});
