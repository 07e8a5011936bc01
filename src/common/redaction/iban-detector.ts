import { isAsciiAlnum, isAsciiLetter, isDigit } from './char-class.js';
import type { SpanList } from './span-list.js';

/** IBAN length per country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23,
  IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

const IBAN_START = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}/g;

/** ISO 13616 check: rotate the first four chars to the end, letters to 10..35, the number mod 97 must be 1. */
function isValidIbanChecksum(iban: string): boolean {
  const rotated = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rotated.length; i++) {
    const c = rotated.charCodeAt(i);
    if (isDigit(c)) {
      rest = (rest * 10 + (c - 48)) % 97;
    } else {
      const v = c - 55; // 'A' (65) -> 10
      rest = (rest * 100 + v) % 97;
    }
  }
  return rest === 1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 0xa0;
}

/**
 * Finds IBANs written compactly or in groups separated by single spaces.
 * An IBAN-shaped token with a bad checksum is recorded as a protected span so that its digits
 * are not then read as a card or phone number.
 */
export function findIbans(s: string, spans: SpanList): void {
  const len = s.length;
  IBAN_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IBAN_START.exec(s)) !== null) {
    const start = m.index;
    const country = s.slice(start, start + 2).toUpperCase();
    const expected = IBAN_LENGTHS[country];
    if (expected === undefined) continue;
    let compact = '';
    let j = start;
    let groupLength = 0;
    let regularGroups = true;
    while (j < len && compact.length < expected) {
      const c = s.charCodeAt(j);
      if (isAsciiAlnum(c)) {
        compact += String.fromCharCode(isAsciiLetter(c) && c >= 97 ? c - 32 : c);
        groupLength++;
        j++;
      } else if (isSpace(c) && j + 1 < len && isAsciiAlnum(s.charCodeAt(j + 1)) && compact.length >= 4) {
        if (groupLength !== 4) regularGroups = false;
        groupLength = 0;
        j++;
      } else {
        break;
      }
    }
    if (compact.length !== expected || (j < len && isAsciiAlnum(s.charCodeAt(j)))) continue;
    if (spans.overlaps(start, j)) continue;
    if (isValidIbanChecksum(compact)) {
      spans.add({ start, end: j, kind: 'IBAN', normalised: compact });
      IBAN_START.lastIndex = j;
    } else if (regularGroups) {
      // Only a cleanly grouped token is protected: a loose one may have swallowed the following words.
      spans.add({ start, end: j, kind: undefined, normalised: '' });
      IBAN_START.lastIndex = j;
    }
  }
}
