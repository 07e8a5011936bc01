import { isAsciiLetter, isDigit } from './char-class.js';
import { findEmails } from './email-detector.js';
import { findIbans } from './iban-detector.js';
import { findIpv4, findIpv6 } from './ip-detector.js';
import { findCardsAndPhones } from './number-detector.js';
import { DEFAULT_PHONE_REGIONS } from './phone-detector.js';
import { piiTag } from './pii-hasher.js';
import type { PiiSpan, TextRedactionOptions } from './redaction.types.js';
import { SpanList } from './span-list.js';

export const DEFAULT_MAX_STRING_LENGTH = 1_048_576;
export const TRUNCATED = '[Truncated]';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Whole-string shapes that cannot hold personal data; ids and timestamps are most strings in a payload. */
function isKnownSafeShape(s: string): boolean {
  const len = s.length;
  if (len === 36) return UUID.test(s);
  return len >= 10 && len <= 35 && s.charCodeAt(4) === 45 && ISO_8601.test(s);
}

/** Cuts an over-long string at a word boundary so that no half address or number survives at the edge. */
function cutLongText(s: string, max: number): string {
  let cut = s.lastIndexOf(' ', max);
  if (cut < max - 256) cut = max;
  return s.slice(0, cut);
}

/**
 * Replaces personal data found in free text (emails, phones, cards, IBANs, IPs) with `[KIND:hash]` tags.
 * One pass counts the characters each detector needs, so most strings (ids, timestamps, words)
 * are returned after that pass without running any detector.
 */
export function redactText(s: string, options?: TextRedactionOptions): string {
  const max = options?.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
  if (s.length > max) return `${redactText(cutLongText(s, max), options)}…${TRUNCATED}`;
  const len = s.length;
  if (len < 4 || isKnownSafeShape(s)) return s;
  let digits = 0;
  let at = false;
  let dots = 0;
  let colons = 0;
  let ibanStart = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c <= 57) {
      if (c >= 48) {
        digits++;
        // Two letters then two digits: some IBANs (LU, MT) have too few digits for the digit gate.
        if (!ibanStart && i >= 3 && isDigit(s.charCodeAt(i - 1))) {
          ibanStart = isAsciiLetter(s.charCodeAt(i - 2)) && isAsciiLetter(s.charCodeAt(i - 3));
        }
      } else if (c === 46) {
        dots++;
      }
    } else if (c === 64) {
      at = true;
    } else if (c === 58) {
      colons++;
    }
  }
  if (!at && digits < 4 && colons < 2 && !ibanStart) return s;

  // Detectors run in priority order; each skips what an earlier one claimed.
  const spans = new SpanList();
  if (at) findEmails(s, spans);
  spans.commit();
  if (ibanStart && len >= 15) findIbans(s, spans);
  spans.commit();
  // IPv6 first: `::ffff:203.0.113.7` is one address, not a prefix plus an IPv4.
  if (colons >= 2) findIpv6(s, spans);
  spans.commit();
  if (digits >= 4 && dots >= 3) findIpv4(s, spans);
  spans.commit();
  if (digits >= 7) findCardsAndPhones(s, spans, options?.phoneRegions ?? DEFAULT_PHONE_REGIONS);
  return spans.isEmpty ? s : applySpans(s, spans.sorted());
}

function applySpans(s: string, spans: readonly PiiSpan[]): string {
  let out = '';
  let pos = 0;
  for (const span of spans) {
    if (span.kind === undefined) continue;
    out += s.slice(pos, span.start) + piiTag(span.kind, span.normalised);
    pos = span.end;
  }
  return pos === 0 ? s : out + s.slice(pos);
}
