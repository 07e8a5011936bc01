import { isIPv6 } from 'node:net';
import { isDigit, isHexDigit, isWordChar } from './char-class.js';
import type { SpanList } from './span-list.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Not glued to a word or to more dotted numbers: `v1.2.3.4`, `1.2.3.4.5` and `Chrome/120.0.0.0` are versions,
// while `http://10.0.0.1` is an address.
const IPV4 = new RegExp(`(?<![\\p{L}\\p{N}_.]|[\\p{L}\\p{N}]/)${OCTET}(?:\\.${OCTET}){3}(?![\\p{L}\\p{N}_]|\\.\\d)`, 'gu');

export function findIpv4(s: string, spans: SpanList): void {
  IPV4.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IPV4.exec(s)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (!spans.overlaps(start, end)) spans.add({ start, end, kind: 'IP', normalised: m[0] });
  }
}

function isIpv6Char(c: number): boolean {
  return isHexDigit(c) || c === 58 || c === 46;
}

/**
 * Expands around each ':' over hex digits, ':' and '.', then lets node:net validate.
 * Requires a digit and at least two groups: `::1` is not personal, `Feed::add` is code, not an address.
 */
export function findIpv6(s: string, spans: SpanList): void {
  const len = s.length;
  let colon = s.indexOf(':');
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && isIpv6Char(s.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < len && isIpv6Char(s.charCodeAt(end))) end++;
    while (end > colon + 1 && s.charCodeAt(end - 1) === 46) end--;
    const next = end;
    if ((start === 0 || !isWordChar(s, start - 1)) && (end >= len || !isWordChar(s, end))) {
      const token = s.slice(start, end);
      if (isPlausibleIpv6(token) && isIPv6(token) && !spans.overlaps(start, end)) {
        spans.add({ start, end, kind: 'IP', normalised: token.toLowerCase() });
      }
    }
    colon = s.indexOf(':', Math.max(next, colon + 1));
  }
}

function isPlausibleIpv6(token: string): boolean {
  if (token.length < 4 || token.length > 45) return false;
  let hasDigit = false;
  let groups = 0;
  let inGroup = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c)) hasDigit = true;
    if (c === 58) {
      inGroup = false;
    } else if (!inGroup) {
      inGroup = true;
      groups++;
    }
  }
  return hasDigit && groups >= 2;
}
