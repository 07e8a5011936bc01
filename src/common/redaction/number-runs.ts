import { isAsciiAlnum, isDigit, isWordChar } from './char-class.js';

/** A digit group inside a run: s.slice(start, end) is all digits. */
export interface DigitGroup {
  start: number;
  end: number;
}

/**
 * A stretch of digit groups joined by phone/card separators, e.g. `+49 (0)30 1234-5678`.
 * `start` points at the leading '+' or '(' when there is one.
 */
export interface NumberRun {
  start: number;
  groups: DigitGroup[];
  plus: boolean;
}

const PLUS = 43;
const LPAREN = 40;
const RPAREN = 41;
const SPACE = 32;
const NBSP = 0xa0;
const MAX_GROUPS = 24;

function isSeparator(c: number): boolean {
  return c === SPACE || c === NBSP || c === 45 || c === 46 || c === 47 || c === LPAREN || c === RPAREN;
}

function isParen(c: number): boolean {
  return c === LPAREN || c === RPAREN;
}

/**
 * One separator char, or a paren next to a space/dash/dot (`) `, ` (`, `)-`).
 * Anything longer (` / `, two spaces, `. `) ends the run, which keeps lists of numbers apart.
 */
function isAllowedSeparator(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n === 1) return true;
  if (n !== 2) return false;
  const a = s.charCodeAt(from);
  const b = s.charCodeAt(from + 1);
  return isParen(a) !== isParen(b) && !(a === 47 || b === 47);
}

const CURRENCY = new Set([36, 0x20ac, 0xa3, 0xa5, 0x20b9, 0x20bd, 0x20a9]);

/** Digits glued to a word, an amount or a dotted/dashed identifier are not phone/card candidates. */
function isAttachedBefore(s: string, i: number, first: number): boolean {
  if (i === 0) return false;
  if (isWordChar(s, i - 1)) return true;
  const p = s.charCodeAt(i - 1);
  if (CURRENCY.has(p)) return true;
  if (first === PLUS || i < 2) return false;
  const pp = s.charCodeAt(i - 2);
  if (p === 45 || p === 46 || p === 47) return isAsciiAlnum(pp); // BK-2024-…, v1.2, a/123
  if (p === 44 || p === 58) return isDigit(pp); // 1,234 or 10:30
  return false;
}

function isAttachedAfter(s: string, end: number): boolean {
  if (end >= s.length) return false;
  if (isWordChar(s, end)) return true;
  const q = s.charCodeAt(end);
  if (CURRENCY.has(q) || q === 37) return true; // 12 %, 12€
  if (end + 1 >= s.length) return false;
  const qq = s.charCodeAt(end + 1);
  if (q === 45 || q === 46 || q === 47) return isAsciiAlnum(qq);
  if (q === 44 || q === 58) return isDigit(qq);
  return false;
}

/** Skips a glued token such as `2024-000123` in `BK-2024-000123`. */
function skipToken(s: string, i: number): number {
  const len = s.length;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (isWordChar(s, i) || c === 45 || c === 46 || c === 47) i++;
    else break;
  }
  return i;
}

function startsRun(s: string, i: number, c: number): boolean {
  if (isDigit(c)) return true;
  if (i + 1 >= s.length) return false;
  const n = s.charCodeAt(i + 1);
  if (c === PLUS) return isDigit(n);
  if (c === LPAREN) return isDigit(n) || (n === PLUS && i + 2 < s.length && isDigit(s.charCodeAt(i + 2)));
  return false;
}

const RUN_START = /[0-9+(]/g;

/** Calls visit for each free-standing run of digit groups in s. */
export function forEachNumberRun(s: string, visit: (run: NumberRun, end: number) => void): void {
  const len = s.length;
  let i = 0;
  while (i < len) {
    // The regex engine skips the text between candidates far faster than a char loop.
    RUN_START.lastIndex = i;
    if (RUN_START.exec(s) === null) return;
    i = RUN_START.lastIndex - 1;
    const c = s.charCodeAt(i);
    if (!startsRun(s, i, c)) {
      i++;
      continue;
    }
    if (isAttachedBefore(s, i, c)) {
      i = skipToken(s, i + 1);
      continue;
    }
    let j = i;
    let plus = false;
    if (c === LPAREN) j++;
    if (s.charCodeAt(j) === PLUS) {
      plus = true;
      j++;
    }
    const groups: DigitGroup[] = [];
    for (;;) {
      const groupStart = j;
      while (j < len && isDigit(s.charCodeAt(j))) j++;
      groups.push({ start: groupStart, end: j });
      let k = j;
      while (k < len && k - j < 3 && isSeparator(s.charCodeAt(k))) k++;
      if (k === j || k >= len || !isDigit(s.charCodeAt(k)) || !isAllowedSeparator(s, j, k)) break;
      if (groups.length >= MAX_GROUPS) break;
      j = k;
    }
    const last = groups[groups.length - 1] as DigitGroup;
    // A leading '(' that does not close right after the first group wraps the whole number: leave it out.
    let start = i;
    if (c === LPAREN) {
      const first = groups[0] as DigitGroup;
      if (s.charCodeAt(first.end) !== RPAREN) start = plus ? i + 1 : first.start;
    }
    if (!isAttachedAfter(s, last.end)) visit({ start, groups, plus }, last.end);
    i = Math.max(last.end, i + 1);
  }
}
