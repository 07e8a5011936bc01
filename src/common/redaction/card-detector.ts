const VISA = [16, 19];
const MASTERCARD = [16];
const AMEX = [15];
const DINERS = [14, 15, 16, 17, 18, 19];
const LONG = [16, 17, 18, 19];

/** Accepted lengths for an issuer prefix of the common schemes; unknown prefixes are not cards. */
function schemeLengths(digits: string): readonly number[] | undefined {
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits.startsWith('4')) return VISA; // 13-digit Visa is no longer issued; 13-digit ids are common
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return MASTERCARD;
  if (p2 === 34 || p2 === 37) return AMEX;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return LONG; // Discover
  if (p4 >= 3528 && p4 <= 3589) return LONG; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return DINERS;
  if (p2 === 62 || p2 === 50 || (p2 >= 56 && p2 <= 58) || (p2 >= 60 && p2 <= 69)) return LONG; // UnionPay, Maestro
  return undefined;
}

function isLuhnValid(digits: string): boolean {
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
  const lengths = schemeLengths(digits);
  return lengths !== undefined && lengths.includes(digits.length) && isLuhnValid(digits);
}
