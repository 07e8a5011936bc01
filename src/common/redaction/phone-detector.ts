import { regionPlan, validInternational, validNational, type RegionPlan } from './phone-metadata.js';

/*
 * Validity comes from libphonenumber-js "max" metadata (see phone-metadata.ts): "min" only checks
 * lengths, which would accept many dates, epochs and order numbers as phones. Callers only reach
 * validation with candidates that already passed the shape filters of the number-run scanner.
 */

export const DEFAULT_PHONE_REGIONS: readonly string[] = [
  'US', 'CA', 'GB', 'IE', 'DE', 'AT', 'CH', 'FR', 'BE', 'NL', 'ES', 'PT', 'IT', 'IN', 'BR', 'JP', 'AU',
];

/**
 * Regions whose numbers are routinely written without the trunk '0'. Written so, they must also follow
 * the customary grouping, or `2024-000123` would read as a Pune landline:
 * India: a mobile (6-9…) as 5-5 or 3-3-4; Brazil: the 2-digit area code first, `(11) 91234-5678`.
 */
const TRUNK_OPTIONAL: ReadonlyMap<string, (digits: string, boundaries: readonly number[]) => boolean> = new Map([
  ['IN', (digits, b) => /^[6-9]/.test(digits) && (b.length === 0 || sameList(b, [5]) || sameList(b, [3, 6]))],
  ['BR', (_digits, b) => b[0] === 2],
]);

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function boundariesOf(groupLengths: readonly number[]): number[] {
  const out: number[] = [];
  let position = 0;
  for (let i = 0; i < groupLengths.length - 1; i++) {
    position += groupLengths[i] as number;
    out.push(position);
  }
  return out;
}

/**
 * North American numbers are written 3-3-4 so consistently that any other grouping
 * (`2024-000123`, `1234 567890`) is an identifier, not a phone.
 * groupLengths are the written digit groups; skip is how many leading digits precede the 10-digit number.
 */
function hasNanpGrouping(groupLengths: readonly number[], skip: number): boolean {
  for (const boundary of boundariesOf(groupLengths)) {
    const position = boundary - skip;
    if (position > 0 && position !== 3 && position !== 6) return false;
  }
  return true;
}

/** E.164 form of a `+`/`00` number given as digits after the prefix, or undefined when not a valid phone. */
export function validateInternational(digits: string, groupLengths: readonly number[]): string | undefined {
  if (digits.length < 8 || digits.length > 15) return undefined;
  const e164 = validInternational(digits);
  if (e164 === undefined) return undefined;
  if (digits.startsWith('1') && !hasNanpGrouping(groupLengths, 1)) return undefined;
  return e164;
}

const resolvedPlans = new WeakMap<readonly string[], readonly RegionPlan[]>();

/** Plans of a region list, resolved once per list (unknown regions dropped). */
function plansOf(regions: readonly string[]): readonly RegionPlan[] {
  let plans = resolvedPlans.get(regions);
  if (plans === undefined) {
    plans = regions.flatMap((region) => regionPlan(region) ?? []);
    resolvedPlans.set(regions, plans);
  }
  return plans;
}

/** E.164 form of a nationally written number valid in one of the regions (tried in order). */
export function validateNational(
  digits: string,
  groupLengths: readonly number[],
  regions: readonly string[],
): string | undefined {
  for (const plan of plansOf(regions)) {
    const region = plan.region;
    const trunk = plan.nationalPrefix;
    const customary = TRUNK_OPTIONAL.get(region);
    // Where a trunk '0' is the norm, a national number written without it is more likely an identifier.
    if (trunk === '0' && customary === undefined && !digits.startsWith('0')) continue;
    if (customary !== undefined && !digits.startsWith('0') && !customary(digits, boundariesOf(groupLengths))) continue;
    const withoutTrunk = trunk !== undefined && digits.startsWith(trunk) ? digits.length - trunk.length : -1;
    const lengths = plan.lengths;
    if (lengths !== undefined && !lengths.includes(digits.length) && !lengths.includes(withoutTrunk)) continue;
    const e164 = validNational(digits, plan);
    if (e164 === undefined) continue;
    if (plan.callingCode === '1' && !hasNanpGrouping(groupLengths, digits.length - 10)) continue;
    return e164;
  }
  return undefined;
}

/** Best-effort E.164 for a value stored under a phone key; falls back to its digits. */
export function normalisePhoneValue(value: string, regions: readonly string[]): string {
  const digits = value.replace(/\(0\)/g, '').replace(/\D/g, '');
  if (value.trimStart().startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return validateNational(digits, [digits.length], regions) ?? digits;
}
