/** Character tests on UTF-16 code units, kept branch-cheap because they run on every scanned char. */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isAsciiAlnum(c: number): boolean {
  return isDigit(c) || isAsciiLetter(c);
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const UNICODE_WORD = /^[\p{L}\p{M}\p{N}]$/u;

/** Letter, mark or number in any script; surrogate halves count as word chars (astral letters). */
export function isWordChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return isAsciiAlnum(c) || c === 95;
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return UNICODE_WORD.test(s.charAt(i));
}
