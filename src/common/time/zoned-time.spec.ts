import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dailyWindowExit,
  findOffsetTransition,
  inDailyWindow,
  isValidTimeZone,
  localDate,
  localMinuteOfDay,
  minutesOfDay,
  parseIsoInstant,
  toZonedParts,
  utcFromFields,
  wallTimeInstants,
  zonedToUtc,
  zonedWallTimeToInstant,
  zoneOffsetMs,
} from './zoned-time.js';

const H = 3_600_000;
const ms = (iso: string): number => Date.parse(iso);
const iso = (instant: number | null): string | null => (instant === null ? null : new Date(instant).toISOString());

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['europe/berlin', true],
    ['Foo/Bar', false],
    ['', false],
    ['+01:00', false],
    ['../../etc/passwd', false],
    ['Europe/Berlin\n', false],
    ['A'.repeat(65), false],
    [42, false],
    [null, false],
    [{ toString: () => 'UTC' }, false],
  ])('%j -> %s', (zone, expected) => {
    expect(isValidTimeZone(zone)).toBe(expected);
  });
});

describe('zoneOffsetMs / toZonedParts', () => {
  it.each([
    ['2026-01-15T12:00:00Z', 'Europe/Berlin', 1 * H],
    ['2026-07-15T12:00:00Z', 'Europe/Berlin', 2 * H],
    ['2026-01-15T12:00:00Z', 'America/New_York', -5 * H],
    ['2026-07-15T12:00:00Z', 'America/New_York', -4 * H],
    ['2026-01-15T12:00:00Z', 'Asia/Kolkata', 5.5 * H],
    ['2026-01-15T12:00:00Z', 'Australia/Lord_Howe', 11 * H],
    ['2026-07-15T12:00:00Z', 'Australia/Lord_Howe', 10.5 * H],
    ['2026-03-29T00:59:59Z', 'Europe/Berlin', 1 * H],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', 2 * H],
    ['2026-10-25T00:59:59Z', 'Europe/Berlin', 2 * H],
    ['2026-10-25T01:00:00Z', 'Europe/Berlin', 1 * H],
  ])('%s in %s', (at, zone, offset) => {
    expect(zoneOffsetMs(ms(at), zone)).toBe(offset);
  });

  it('gives wall clock parts around the Berlin spring transition', () => {
    expect(toZonedParts(ms('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 1,
      minute: 59,
      second: 59,
      minuteOfDay: 119,
    });
    expect(toZonedParts(ms('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 0 });
    expect(toZonedParts(ms('2026-12-31T23:30:00Z'), 'Asia/Kolkata')).toMatchObject({
      year: 2027,
      month: 1,
      day: 1,
      hour: 5,
      minute: 0,
    });
  });

  it('is not fooled by its one-minute memo when zones and instants alternate', () => {
    const a = ms('2026-03-29T00:59:30Z');
    const b = ms('2026-03-29T01:00:30Z');
    for (let i = 0; i < 3; i++) {
      expect(localMinuteOfDay(a, 'Europe/Berlin')).toBe(119);
      expect(localMinuteOfDay(a, 'America/New_York')).toBe(20 * 60 + 59); // EDT since 8 March
      expect(localMinuteOfDay(b, 'Europe/Berlin')).toBe(180);
    }
  });

  it('its hour cache agrees, minute by minute and in both directions, with a formatter of its own across transitions', () => {
    // [zone, a UTC day holding a transition]: whole-hour, 00:01-local (St. John's 2010), half-hour (Lord Howe), midnight (São Paulo)
    const days: [string, string][] = [
      ['Europe/Berlin', '2026-03-29'],
      ['Europe/Berlin', '2026-10-25'],
      ['America/St_Johns', '2010-03-14'],
      ['America/St_Johns', '2010-11-07'],
      ['Australia/Lord_Howe', '2026-04-04'],
      ['Australia/Lord_Howe', '2026-10-03'],
      ['America/Sao_Paulo', '2018-11-04'],
      ['America/Sao_Paulo', '2019-02-17'],
    ];
    for (const [zone, day] of days) {
      const reference = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
      const offset = (t: number): number => {
        const p = Object.fromEntries(reference.formatToParts(t).map((x) => [x.type, Number(x.value)]));
        return utcFromFields(p.year!, p.month!, p.day!, p.hour! % 24, p.minute!, p.second!) - t;
      };
      const from = ms(`${day}T00:00:00Z`) - 12 * 3_600_000;
      const minutes = Array.from({ length: 48 * 60 }, (_, i) => from + i * 60_000 + 30_000);
      // descending first, so an hour is cached from an instant on the far side of a transition
      for (const t of [...minutes].reverse()) expect(zoneOffsetMs(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(offset(t));
      for (const t of minutes) expect(zoneOffsetMs(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(offset(t));
    }
  });

  it('agrees with a fresh Intl formatter on random instants and zones', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns'];
    fc.assert(
      fc.property(
        fc.integer({ min: ms('2000-01-01T00:00:00Z'), max: ms('2037-12-31T00:00:00Z') }),
        fc.constantFrom(...zones),
        (instant, zone) => {
          const expected = new Intl.DateTimeFormat('en-GB', {
            timeZone: zone,
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }).format(instant);
          const p = toZonedParts(instant, zone);
          const two = (n: number): string => String(n).padStart(2, '0');
          expect(`${two(p.day)}/${two(p.month)}/${p.year}, ${two(p.hour)}:${two(p.minute)}`).toBe(expected);
        },
      ),
    );
  });
});

describe('utcFromFields / addDays', () => {
  it('takes years below 100 literally', () => {
    expect(new Date(utcFromFields(50, 1, 1)).getUTCFullYear()).toBe(50);
  });

  it.each([
    [{ year: 2026, month: 2, day: 28 }, 1, { year: 2026, month: 3, day: 1 }],
    [{ year: 2028, month: 2, day: 28 }, 1, { year: 2028, month: 2, day: 29 }],
    [{ year: 2026, month: 12, day: 31 }, 1, { year: 2027, month: 1, day: 1 }],
    [{ year: 2026, month: 3, day: 1 }, -1, { year: 2026, month: 2, day: 28 }],
  ])('%j + %d days', (date, days, expected) => {
    expect(addDays(date, days)).toEqual(expected);
  });
});

describe('wallTimeInstants / zonedWallTimeToInstant', () => {
  it.each([
    ['Europe/Berlin', { year: 2026, month: 1, day: 10, hour: 7, minute: 0 }, ['2026-01-10T06:00:00.000Z']],
    ['Europe/Berlin', { year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, []],
    [
      'Europe/Berlin',
      { year: 2026, month: 10, day: 25, hour: 2, minute: 30 },
      ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'],
    ],
    ['America/New_York', { year: 2026, month: 3, day: 8, hour: 2, minute: 0 }, []],
    [
      'America/New_York',
      { year: 2026, month: 11, day: 1, hour: 1, minute: 30 },
      ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'],
    ],
  ])('%s %j', (zone, local, expected) => {
    expect(wallTimeInstants(local, zone).map((t) => iso(t))).toEqual(expected);
  });

  it.each([
    // gap: the first instant after the gap (the transition)
    ['Europe/Berlin', { year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, '2026-03-29T01:00:00.000Z'],
    ['America/New_York', { year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, '2026-03-08T07:00:00.000Z'],
    ['Australia/Lord_Howe', { year: 2026, month: 10, day: 4, hour: 2, minute: 15 }, '2026-10-03T15:30:00.000Z'],
    // overlap: the first occurrence
    ['Europe/Berlin', { year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, '2026-10-25T00:30:00.000Z'],
    ['America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 0 }, '2026-11-01T05:00:00.000Z'],
    // ordinary
    ['America/New_York', { year: 2026, month: 3, day: 8, hour: 7, minute: 0 }, '2026-03-08T11:00:00.000Z'],
    ['Asia/Kolkata', { year: 2026, month: 6, day: 1, hour: 0, minute: 0 }, '2026-05-31T18:30:00.000Z'],
  ])('%s %j -> %s', (zone, local, expected) => {
    expect(iso(zonedWallTimeToInstant(local, zone))).toBe(expected);
  });

  it('round-trips every existing wall time (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: ms('2020-01-01T00:00:00Z'), max: ms('2035-01-01T00:00:00Z') }),
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago'),
        (instant, zone) => {
          const minuteStart = Math.floor(instant / 60_000) * 60_000;
          const parts = toZonedParts(minuteStart, zone);
          const found = wallTimeInstants(parts, zone);
          expect(found).toContain(minuteStart);
          for (const t of found) expect(toZonedParts(t, zone)).toMatchObject({ hour: parts.hour, minute: parts.minute });
        },
      ),
    );
  });
});

describe('findOffsetTransition', () => {
  it('finds the exact second of a transition', () => {
    expect(iso(findOffsetTransition(ms('2026-03-28T12:00:00Z'), ms('2026-03-29T12:00:00Z'), 'Europe/Berlin'))).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(findOffsetTransition(ms('2026-05-01T00:00:00Z'), ms('2026-05-02T00:00:00Z'), 'Europe/Berlin')).toBeNull();
  });
});

describe('inDailyWindow', () => {
  it.each([
    [1319, 1320, 420, false],
    [1320, 1320, 420, true],
    [0, 1320, 420, true],
    [419, 1320, 420, true],
    [420, 1320, 420, false],
    [539, 540, 1020, false],
    [540, 540, 1020, true],
    [1019, 540, 1020, true],
    [1020, 540, 1020, false],
    [600, 600, 600, false],
  ])('minute %d in [%d, %d) -> %s', (minute, start, end, expected) => {
    expect(inDailyWindow(minute, start, end)).toBe(expected);
  });
});

describe('dailyWindowExit', () => {
  const NIGHT = [22 * 60, 7 * 60] as const;
  it.each([
    ['outside', '2026-01-10T20:59:00Z', 'Europe/Berlin', NIGHT, null],
    ['start of window', '2026-01-10T21:00:00Z', 'Europe/Berlin', NIGHT, '2026-01-11T06:00:00.000Z'],
    ['after midnight', '2026-01-11T05:59:59Z', 'Europe/Berlin', NIGHT, '2026-01-11T06:00:00.000Z'],
    ['end of window', '2026-01-11T06:00:00Z', 'Europe/Berlin', NIGHT, null],
    ['Berlin spring forward', '2026-03-28T23:30:00Z', 'Europe/Berlin', NIGHT, '2026-03-29T05:00:00.000Z'],
    ['Berlin fall back', '2026-10-24T22:30:00Z', 'Europe/Berlin', NIGHT, '2026-10-25T06:00:00.000Z'],
    ['New York spring forward', '2026-03-08T04:00:00Z', 'America/New_York', NIGHT, '2026-03-08T11:00:00.000Z'],
    ['New York fall back', '2026-11-01T04:30:00Z', 'America/New_York', NIGHT, '2026-11-01T12:00:00.000Z'],
    ['end in the gap', '2026-03-29T00:15:00Z', 'Europe/Berlin', [22 * 60, 150], '2026-03-29T01:00:00.000Z'],
    ['end in the overlap, first pass', '2026-10-24T23:30:00Z', 'Europe/Berlin', [23 * 60, 150], '2026-10-25T00:30:00.000Z'],
    ['end in the overlap, second pass', '2026-10-25T01:10:00Z', 'Europe/Berlin', [23 * 60, 150], '2026-10-25T01:30:00.000Z'],
    ['thrown out by fall back', '2026-10-25T00:45:00Z', 'Europe/Berlin', [150, 210], '2026-10-25T01:00:00.000Z'],
    ['back in after fall back', '2026-10-25T01:30:00Z', 'Europe/Berlin', [150, 210], '2026-10-25T02:30:00.000Z'],
    ['half-hour zone', '2026-01-01T17:00:00Z', 'Asia/Kolkata', NIGHT, '2026-01-02T01:30:00.000Z'],
  ] as const)('%s', (_label, now, zone, [start, end], expected) => {
    expect(iso(dailyWindowExit(ms(now), zone, start, end))).toBe(expected);
  });

  // Oracle: step minute by minute with an independent formatter until the clock leaves the window.
  function bruteForceExit(nowMs: number, zone: string, start: number, end: number): number | null {
    const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const minuteOf = (t: number): number => {
      const [h, m] = format.format(t).split(':').map(Number);
      return h! * 60 + m!;
    };
    const inside = (t: number): boolean => inDailyWindow(minuteOf(t), start, end);
    if (!inside(nowMs)) return null;
    for (let t = Math.floor(nowMs / 60_000) * 60_000 + 60_000; t < nowMs + 3 * 24 * H; t += 60_000) {
      if (!inside(t)) return t;
    }
    return null;
  }

  const transitions = [
    '2026-03-29T01:00:00Z',
    '2026-10-25T01:00:00Z',
    '2026-03-08T07:00:00Z',
    '2026-11-01T06:00:00Z',
    '2026-10-03T15:30:00Z',
    '2027-04-03T15:00:00Z',
  ].map(ms);

  it('matches a minute-by-minute oracle, especially around DST changes (property)', () => {
    const instant = fc.oneof(
      fc.integer({ min: ms('2026-01-01T00:00:00Z'), max: ms('2027-12-31T00:00:00Z') }),
      fc
        .tuple(fc.constantFrom(...transitions), fc.integer({ min: -30 * H, max: 30 * H }))
        .map(([t, delta]) => t + delta),
    );
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        (nowMs, zone, start, end) => {
          fc.pre(start !== end);
          expect(iso(dailyWindowExit(nowMs, zone, start, end))).toBe(iso(bruteForceExit(nowMs, zone, start, end)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseIsoInstant', () => {
  it.each([
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00.5Z', '2026-03-01T10:00:00.500Z'],
    ['2026-03-01T10:00:00.123456789Z', '2026-03-01T10:00:00.123Z'],
    ['2026-03-01T10:00:00+01:00', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T10:00:00-05:30', '2026-03-01T15:30:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s', (input, expected) => {
    expect(iso(parseIsoInstant(input))).toBe(expected);
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2027-02-29T10:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T10:60:00Z',
    '2026-03-01T10:00:60Z',
    '2026-13-01T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-03-01T10:00:00',
    '2026-03-01',
    '2026-03-01t10:00:00z',
    '2026-03-01T10:00:00+24:00',
    '0000-01-01T00:00:00Z',
    'March 1, 2026 10:00',
    ` 2026-03-01T10:00:00Z`,
    `2026-03-01T10:00:00Z${' '.repeat(100)}`,
    '',
  ])('rejects %j', (input) => {
    expect(parseIsoInstant(input)).toBeNull();
  });

  it.each([undefined, null, 1_700_000_000_000, new Date(), {}])('rejects non-string %j', (input) => {
    expect(parseIsoInstant(input)).toBeNull();
  });
});

describe("booking's helpers (the answers of the booking core's former implementation)", () => {
  it.each([
    ['2031-06-01', '09:00', 'Asia/Kolkata', '2031-06-01T03:30:00.000Z'],
    ['2031-01-01', '00:00', 'Pacific/Chatham', '2030-12-31T10:15:00.000Z'],
    // a DST gap moves the time forward by the gap: 02:30 → 03:30 local
    ['2031-03-30', '02:30', 'Europe/Berlin', '2031-03-30T01:30:00.000Z'],
    ['2031-03-09', '02:30', 'America/New_York', '2031-03-09T07:30:00.000Z'],
    // an ambiguous time is its first occurrence
    ['2031-10-26', '02:30', 'Europe/Berlin', '2031-10-26T00:30:00.000Z'],
    ['2031-11-02', '01:30', 'America/New_York', '2031-11-02T05:30:00.000Z'],
    // a half-hour transition
    ['2031-04-06', '02:15', 'Australia/Lord_Howe', '2031-04-05T15:45:00.000Z'],
  ])('zonedToUtc(%s %s, %s) = %s', (date, time, zone, expected) => {
    expect(zonedToUtc(date, time, zone).toISOString()).toBe(expected);
  });

  it('gives the wall time back for every non-gap time (round trip through localDate and toZonedParts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 365 }), fc.integer({ min: 0, max: 1439 }), fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'), (d, m, zone) => {
        const date = new Date(Date.UTC(2031, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const instant = zonedToUtc(date, time, zone);
        const parts = toZonedParts(instant.getTime(), zone);
        if (wallTimeInstants({ year: +date.slice(0, 4), month: +date.slice(5, 7), day: +date.slice(8, 10), hour: Math.floor(m / 60), minute: m % 60 }, zone).length === 0) return; // in a gap
        expect(localDate(instant, zone)).toBe(date);
        expect(parts.minuteOfDay).toBe(minutesOfDay(time));
      }),
      { numRuns: 2000 },
    );
  });

  it('localDate is the calendar date in the zone', () => {
    expect(localDate(new Date('2031-01-01T23:30:00Z'), 'Europe/Berlin')).toBe('2031-01-02');
    expect(localDate(new Date('2031-01-01T04:59:00Z'), 'America/New_York')).toBe('2030-12-31');
  });
});
