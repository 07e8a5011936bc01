import { isAsciiAlnum, isAsciiLetter, isWordChar } from './char-class.js';
import type { SpanList } from './span-list.js';

/*
 * Finds addresses by expanding around each '@' instead of running one big regex over the text:
 * the cost is linear in the text and nothing is done for strings without '@'.
 * The local part accepts the characters seen in practice (letters of any script, digits, . _ % + - ')
 * but not '=', '/', '?', ':' so that `email=alice@x.com` or a URL keeps its prefix.
 */

function isLocalChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
  return isWordChar(s, i);
}

function isDomainChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) || c === 45 || c === 46;
  return isWordChar(s, i);
}

function isValidTld(label: string): boolean {
  if (label.length < 2) return false;
  if (label.startsWith('xn--')) return label.length > 4;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c < 128 ? !isAsciiLetter(c) : !isWordChar(label, i)) return false;
  }
  return true;
}

// `icon@2x.png`, `bundle@1.2.js`: asset names, and none of these is a top-level domain.
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'mjs', 'css', 'map', 'json', 'html', 'pdf', 'ts']);

function isValidDomain(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (labels.length === 2 && FILE_EXTENSIONS.has((labels[1] as string).toLowerCase())) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return isValidTld(labels[labels.length - 1] ?? '');
}

export function findEmails(s: string, spans: SpanList): void {
  const len = s.length;
  let at = s.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > 0 && isLocalChar(s, start - 1)) start--;
    // A leading quote or dot belongs to the surrounding text ('alice@x.com'), not to the address.
    while (start < at && (s.charCodeAt(start) === 46 || s.charCodeAt(start) === 39)) start++;
    let end = at + 1;
    while (end < len && isDomainChar(s, end)) end++;
    while (end > at + 1 && (s.charCodeAt(end - 1) === 46 || s.charCodeAt(end - 1) === 45)) end--;
    if (start < at && end > at + 1 && isValidDomain(s.slice(at + 1, end))) {
      spans.add({ start, end, kind: 'EMAIL', normalised: s.slice(start, end).normalize('NFC').toLowerCase() });
      at = s.indexOf('@', end);
    } else {
      at = s.indexOf('@', at + 1);
    }
  }
}
