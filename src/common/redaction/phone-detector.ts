import {
  isSupportedCountry,
  Metadata,
  parsePhoneNumberFromString,
  type CountryCode,
  type NumberingPlan,
} from 'libphonenumber-js/max';

/** nationalPrefix() exists at runtime but is missing from the published typings. */
type PlanWithPrefix = NumberingPlan & { nationalPrefix?: () => unknown };

/*
 * Validation uses the "max" metadata: "min" only checks lengths, which would accept many dates,
 * epochs and order numbers as phones. Parsing is the expensive step (~10 µs), so callers only
 * reach it with candidates that already passed the shape filters of the number-run scanner.
 */

export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = [
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

interface RegionProfile {
  region: CountryCode;
  /** National prefix that must be written for this region to be tried (e.g. '0' in GB, DE, FR). */
  requiredPrefix: string | undefined;
  trunk: string | undefined;
  lengths: ReadonlySet<number>;
}

const profiles = new Map<string, RegionProfile | null>();

function profileOf(region: string): RegionProfile | null {
  let profile = profiles.get(region);
  if (profile !== undefined) return profile;
  profile = null;
  if (isSupportedCountry(region)) {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(region);
    const plan = metadata.numberingPlan as PlanWithPrefix | undefined;
    const prefix = plan?.nationalPrefix?.();
    const trunk = typeof prefix === 'string' && prefix.length > 0 ? prefix : undefined;
    profile = {
      region,
      trunk,
      requiredPrefix: trunk === '0' && !TRUNK_OPTIONAL.has(region) ? '0' : undefined,
      lengths: new Set(plan?.possibleLengths() ?? []),
    };
  }
  profiles.set(region, profile);
  return profile;
}

/**
 * North American numbers are written 3-3-4 so consistently that any other grouping
 * (`2024-000123`, `1234 567890`) is an identifier, not a phone.
 * groupLengths are the written digit groups; skip is how many leading digits precede the 10-digit number.
 */
function hasNanpGrouping(groupLengths: readonly number[], skip: number): boolean {
  let position = -skip;
  for (let i = 0; i < groupLengths.length - 1; i++) {
    position += groupLengths[i] as number;
    if (position > 0 && position !== 3 && position !== 6) return false;
  }
  return true;
}

/** E.164 form of a `+`/`00` number given as digits after the prefix, or undefined when not a valid phone. */
export function validateInternational(digits: string, groupLengths: readonly number[]): string | undefined {
  if (digits.length < 8 || digits.length > 15) return undefined;
  const phone = parsePhoneNumberFromString(`+${digits}`);
  if (phone === undefined || !phone.isValid()) return undefined;
  if (phone.countryCallingCode === '1' && !hasNanpGrouping(groupLengths, 1)) return undefined;
  return phone.number;
}

/** E.164 form of a nationally written number valid in one of the regions (tried in order). */
export function validateNational(
  digits: string,
  groupLengths: readonly number[],
  regions: readonly string[],
): string | undefined {
  for (const region of regions) {
    const profile = profileOf(region);
    if (profile === null) continue;
    if (profile.requiredPrefix !== undefined && !digits.startsWith(profile.requiredPrefix)) continue;
    const withoutTrunk =
      profile.trunk !== undefined && digits.startsWith(profile.trunk) ? digits.length - profile.trunk.length : -1;
    if (!profile.lengths.has(digits.length) && !profile.lengths.has(withoutTrunk)) continue;
    const customary = TRUNK_OPTIONAL.get(region);
    if (customary !== undefined && !digits.startsWith('0') && !customary(digits, boundariesOf(groupLengths))) continue;
    const phone = parsePhoneNumberFromString(digits, profile.region);
    if (phone === undefined || !phone.isValid()) continue;
    if (phone.countryCallingCode === '1' && !hasNanpGrouping(groupLengths, digits.length - 10)) continue;
    return phone.number;
  }
  return undefined;
}

/** Best-effort E.164 for a value stored under a phone key; falls back to its digits. */
export function normalisePhoneValue(value: string, regions: readonly string[]): string {
  const digits = value.replace(/\(0\)/g, '').replace(/\D/g, '');
  const trimmed = value.trimStart();
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return validateNational(digits, [digits.length], regions) ?? digits;
}
