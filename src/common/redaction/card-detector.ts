/** Issuer prefixes and lengths of the common schemes; unknown prefixes are not treated as cards. */
const SCHEMES: ReadonlyArray<{ prefix: RegExp; lengths: readonly number[] }> = [
  { prefix: /^4/, lengths: [16, 19] }, // Visa (13-digit Visa is no longer issued; 13-digit ids are common)
  { prefix: /^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(?:6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] }, // Discover
  { prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] }, // JCB
  { prefix: /^3(?:0[0-5]|[689])/, lengths: [14, 15, 16, 17, 18, 19] }, // Diners Club
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
  { prefix: /^(?:50|5[6-8]|6\d)/, lengths: [16, 17, 18, 19] }, // Maestro
];

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Whether an all-digit string is a plausible payment card number (known scheme, length, Luhn). */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 14 || digits.length > 19) return false;
  const scheme = SCHEMES.find((s) => s.prefix.test(digits));
  return scheme !== undefined && scheme.lengths.includes(digits.length) && isLuhnValid(digits);
}
