import { isCardNumber } from './card-detector.js';
import { forEachNumberRun, type DigitGroup, type NumberRun } from './number-runs.js';
import { validateInternational, validateNational } from './phone-detector.js';
import type { PiiSpan } from './redaction.types.js';
import type { SpanList } from './span-list.js';

// Dates inside a run (`2024-03-15 10`, `15.03.2024`, `03/15/2024`): no window may use their digits.
const DATE_IN_RUN =
  /(?<!\d)(?:(?:19|20)\d\d([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d|(?:0?[1-9]|1[0-2])([-./])(?:0?[1-9]|[12]\d|3[01])\3(?:19|20)\d\d)(?!\d)/g;

// Words that announce a phone number; they allow an unseparated national number (`call me at 4155552671`).
// The stem may be followed by more letters (telephone, teléfono, Telefonnummer, calling), then up to three words.
const PHONE_CUE =
  /(?<!\p{L})(?:phone|tel|mobil|mob|cell|call|text|sms|whats\s?app|fax|dial|reach|ring|handy|portable|móvil|celular|携帯|電話)\p{L}*(?:[^\p{L}\p{N}]{1,3}\p{L}{1,12}){0,3}[^\p{L}\p{N}]{0,4}$/iu;

const MAX_WINDOW_GROUPS = 8;
const MIN_DIGITS = 7;
const MAX_DIGITS = 19;

function hasSpaceOrParen(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 0xa0 || c === 40 || c === 41) return true;
  }
  return false;
}

function isCardShaped(s: string, groups: readonly DigitGroup[], g0: number, g1: number): boolean {
  let separator = -1;
  for (let g = g0; g < g1; g++) {
    const a = groups[g] as DigitGroup;
    const b = groups[g + 1] as DigitGroup;
    if (b.start - a.end !== 1) return false;
    const c = s.charCodeAt(a.end);
    if (c !== 32 && c !== 45) return false;
    if (separator !== -1 && c !== separator) return false;
    separator = c;
  }
  return true;
}

/** Grouping printed on cards (4-4-4-4, 4-6-5, 4-6-4…): such a run that fails Luhn is an identifier, not a phone. */
function isCardFormatted(s: string, groups: readonly DigitGroup[]): boolean {
  const first = groups[0] as DigitGroup;
  // No scheme starts with 0, and `0049 1515 2600 335` is a phone.
  if (groups.length < 3 || s.charCodeAt(first.start) === 48 || !isCardShaped(s, groups, 0, groups.length - 1)) {
    return false;
  }
  const lengths = groups.map((g) => g.end - g.start);
  const last = lengths[lengths.length - 1] as number;
  if (lengths.length === 3) return lengths[0] === 4 && lengths[1] === 6 && (last === 4 || last === 5);
  return lengths.slice(0, -1).every((n) => n === 4) && last >= 1 && last <= 4;
}

function isTrunkZeroGroup(s: string, group: DigitGroup): boolean {
  return group.end - group.start === 1 && s.charCodeAt(group.start) === 48 && s.charCodeAt(group.start - 1) === 40 && s.charCodeAt(group.end) === 41;
}

class RunMatcher {
  private cue: boolean | undefined;

  constructor(
    private readonly s: string,
    private readonly run: NumberRun,
    private readonly regions: readonly string[],
  ) {}

  private hasCue(): boolean {
    if (this.cue === undefined) {
      const from = Math.max(0, this.run.start - 48);
      this.cue = PHONE_CUE.test(this.s.slice(from, this.run.start));
    }
    return this.cue;
  }

  /** Span for groups g0..g1 when they form a card or a phone, else undefined. */
  match(g0: number, g1: number, digitCount: number): PiiSpan | undefined {
    const { s, run } = this;
    const groups = run.groups;
    const first = groups[g0] as DigitGroup;
    const last = groups[g1] as DigitGroup;
    const start = g0 === 0 ? run.start : first.start;
    const end = last.end;
    const leadingPlus = run.plus && g0 === 0;
    if (!leadingPlus && digitCount >= 14 && isCardShaped(s, groups, g0, g1)) {
      const digits = this.digits(g0, g1, false);
      if (isCardNumber(digits)) return { start, end, kind: 'CARD', normalised: digits };
    }
    if (digitCount > 17) return undefined;
    const separated = g1 > g0;
    const leadingZeros = s.startsWith('00', first.start);
    if (leadingPlus || leadingZeros) {
      if (!leadingPlus && !separated && !this.hasCue()) return undefined;
      const lengths: number[] = [];
      let digits = this.digits(g0, g1, true, lengths);
      if (!leadingPlus) {
        digits = digits.slice(2);
        lengths[0] = (lengths[0] ?? 0) - 2;
      }
      const e164 = validateInternational(digits, lengths);
      return e164 === undefined ? undefined : { start, end, kind: 'PHONE', normalised: e164 };
    }
    if (digitCount < 9 || digitCount > 12) return undefined;
    if (!separated && !this.hasCue()) return undefined;
    const lengths: number[] = [];
    const digits = this.digits(g0, g1, false, lengths);
    const e164 = validateNational(digits, lengths, this.regions);
    return e164 === undefined ? undefined : { start, end, kind: 'PHONE', normalised: e164 };
  }

  private digits(g0: number, g1: number, dropTrunkZero: boolean, lengths?: number[]): string {
    let out = '';
    for (let g = g0; g <= g1; g++) {
      const group = this.run.groups[g] as DigitGroup;
      // `+49 (0)30 …`: the bracketed trunk zero is not dialled from abroad.
      if (dropTrunkZero && g > g0 && isTrunkZeroGroup(this.s, group)) continue;
      out += this.s.slice(group.start, group.end);
      lengths?.push(group.end - group.start);
    }
    return out;
  }
}

/** Per group of the run, whether it is part of a date; undefined when the run holds no date. */
function dateGroups(s: string, run: NumberRun, end: number): boolean[] | undefined {
  const text = s.slice(run.start, end);
  DATE_IN_RUN.lastIndex = 0;
  let dated: boolean[] | undefined;
  let m: RegExpExecArray | null;
  while ((m = DATE_IN_RUN.exec(text)) !== null) {
    const from = run.start + m.index;
    const to = from + m[0].length;
    const flags = dated ?? new Array<boolean>(run.groups.length).fill(false);
    run.groups.forEach((g, i) => {
      if (g.start < to && from < g.end) flags[i] = true;
    });
    dated = flags;
  }
  return dated;
}

/**
 * Finds card and phone numbers among the digit runs of s, skipping regions already claimed.
 * Each run is tried whole first, then as shorter windows of whole groups, so that
 * `+1 415 555 2671 2 guests` still yields the phone.
 */
export function findCardsAndPhones(s: string, spans: SpanList, regions: readonly string[]): void {
  forEachNumberRun(s, (run, end) => {
    const groups = run.groups;
    const count = groups.length;
    let total = 0;
    for (const g of groups) total += g.end - g.start;
    if (total < MIN_DIGITS) return;
    const dated = dateGroups(s, run, end);
    if (dated === undefined && !run.plus && isCardFormatted(s, groups)) {
      const digits = s.slice(run.start, end).replace(/\D/g, '');
      if (isCardNumber(digits) && !spans.overlaps(run.start, end)) {
        spans.add({ start: run.start, end, kind: 'CARD', normalised: digits });
      }
      return;
    }
    const matcher = new RunMatcher(s, run, regions);
    let g0 = 0;
    while (g0 < count) {
      if (dated?.[g0] === true || (g0 > 0 && !hasSpaceOrParen(s, (groups[g0 - 1] as DigitGroup).end, (groups[g0] as DigitGroup).start))) {
        g0++;
        continue;
      }
      let found = -1;
      let digitCount = 0;
      let maxG1 = Math.min(count - 1, g0 + MAX_WINDOW_GROUPS - 1);
      if (dated !== undefined) {
        const nextDated = dated.indexOf(true, g0);
        if (nextDated !== -1) maxG1 = Math.min(maxG1, nextDated - 1);
      }
      for (let g = g0; g <= maxG1; g++) digitCount += (groups[g] as DigitGroup).end - (groups[g] as DigitGroup).start;
      for (let g1 = maxG1; g1 >= g0; g1--) {
        const current = digitCount;
        digitCount -= (groups[g1] as DigitGroup).end - (groups[g1] as DigitGroup).start;
        if (current < MIN_DIGITS) break;
        if (current > MAX_DIGITS) continue;
        if (g1 < count - 1 && !hasSpaceOrParen(s, (groups[g1] as DigitGroup).end, (groups[g1 + 1] as DigitGroup).start)) {
          continue;
        }
        const span = matcher.match(g0, g1, current);
        if (span !== undefined && !spans.overlaps(span.start, span.end)) {
          spans.add(span);
          found = g1;
          break;
        }
      }
      g0 = found === -1 ? g0 + 1 : found + 1;
    }
  });
}
