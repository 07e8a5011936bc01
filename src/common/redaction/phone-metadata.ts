import { Metadata } from 'libphonenumber-js/max';

/*
 * Phone validation over libphonenumber-js "max" metadata with the patterns compiled once per region.
 * It follows the library's own parse + isValid steps (national prefix extraction, country choice
 * among regions sharing a calling code, number-type patterns) but the library compiles every pattern
 * anew on each test, which made validation the dominant cost of redaction. The spec checks that both
 * agree. Only metadata is cached here, never a number.
 * Scope: numbers written with `+` (or `00`, handled by the caller) or in national format; the
 * library's other readings of national input (IDD prefixes such as 011, a calling code without '+')
 * are not reproduced.
 */

/** The runtime API of libphonenumber-js's Metadata; most of it is missing from the published typings. */
interface RuntimeType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface RuntimePlan {
  callingCode(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: string): RuntimeType | undefined;
}
interface RuntimeMetadata {
  selectNumberingPlan(countryOrCallingCode: string): unknown;
  numberingPlan: RuntimePlan | undefined;
  hasCountry(country: string): boolean;
  isNonGeographicCallingCode(callingCode: string): boolean;
  countryCallingCodes(): Record<string, string[]>;
}

// Same order as libphonenumber-js getNumberType(): fixed line first, then the others.
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

interface CompiledType {
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

export interface RegionPlan {
  region: string;
  callingCode: string;
  nationalPrefix: string | undefined;
  nationalNumber: RegExp;
  /** Sorted possible lengths of a national significant number. */
  lengths: readonly number[] | undefined;
  prefixForParsing: RegExp | undefined;
  transformRule: string | undefined;
  leadingDigits: RegExp | undefined;
  types: readonly CompiledType[] | undefined;
}

const metadata = new Metadata() as unknown as RuntimeMetadata;
const plans = new Map<string, RegionPlan | null>();
let regionsByCallingCode: Record<string, string[]> | undefined;

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

/** Plan of a region (`DE`), or of a non-geographic calling code (`800`, `882`). */
export function regionPlan(region: string): RegionPlan | undefined {
  let plan = plans.get(region);
  if (plan === undefined) {
    plan = null;
    if (metadata.hasCountry(region) || metadata.isNonGeographicCallingCode(region)) {
      metadata.selectNumberingPlan(region);
      const p = metadata.numberingPlan as RuntimePlan;
      const prefixForParsing = p.nationalPrefixForParsing();
      const leadingDigits = p.leadingDigits();
      plan = {
        region,
        callingCode: p.callingCode(),
        nationalPrefix: p.nationalPrefix() || undefined,
        nationalNumber: whole(p.nationalNumberPattern()),
        lengths: p.possibleLengths(),
        prefixForParsing: prefixForParsing ? new RegExp(`^(?:${prefixForParsing})`) : undefined,
        transformRule: p.nationalPrefixTransformRule() || undefined,
        leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
        types: p.hasTypes()
          ? NUMBER_TYPES.flatMap((name) => {
              const t = p.type(name);
              const pattern = t?.pattern();
              return t && pattern ? [{ pattern: whole(pattern), lengths: t.possibleLengths() }] : [];
            })
          : undefined,
      };
    }
    plans.set(region, plan);
  }
  return plan ?? undefined;
}

/**
 * Regions sharing a calling code, main region first (as in the metadata).
 * A non-geographic code (+800, +882…) is its own single "region".
 */
export function regionsForCallingCode(callingCode: string): readonly string[] | undefined {
  regionsByCallingCode ??= metadata.countryCallingCodes();
  const regions = regionsByCallingCode[callingCode];
  if (regions !== undefined && regions[0] !== '001') return regions;
  return metadata.isNonGeographicCallingCode(callingCode) ? [callingCode] : undefined;
}

/** Whether nsn is a valid number of the plan: its general pattern and one of its number types. */
function isValidFor(plan: RegionPlan, nsn: string): boolean {
  if (!plan.nationalNumber.test(nsn)) return false;
  if (plan.types === undefined) return true;
  for (const type of plan.types) {
    const lengths = type.lengths ?? plan.lengths;
    if (lengths !== undefined && !lengths.includes(nsn.length)) continue;
    if (type.pattern.test(nsn)) return true;
  }
  return false;
}

/** The region a national significant number belongs to among those sharing its calling code. */
function exactRegion(regions: readonly string[], nsn: string): RegionPlan | undefined {
  if (regions.length === 1) return regionPlan(regions[0] as string);
  for (const region of regions) {
    const plan = regionPlan(region);
    if (plan === undefined) continue;
    if (plan.leadingDigits !== undefined ? plan.leadingDigits.test(nsn) : isValidFor(plan, nsn)) return plan;
  }
  return undefined;
}

function lengthIsPossible(lengths: readonly number[] | undefined, length: number): boolean {
  if (lengths === undefined || lengths.length === 0) return true;
  // As checkNumberLength(): only TOO_SHORT and INVALID_LENGTH reject; TOO_LONG does not.
  if (length < (lengths[0] as number)) return false;
  if (length > (lengths[lengths.length - 1] as number)) return true;
  return lengths.includes(length);
}

/** National significant number after removing a national prefix (and carrier code) the plan allows. */
function extractNationalNumber(plan: RegionPlan, regions: readonly string[], digits: string): string {
  const prefix = plan.prefixForParsing;
  if (prefix === undefined) return digits;
  const match = prefix.exec(digits);
  if (match === null) return digits;
  const groups = match.length - 1;
  const hasGroups = groups > 0 && Boolean(match[groups]);
  const nsn =
    plan.transformRule !== undefined && hasGroups
      ? digits.replace(prefix, plan.transformRule)
      : digits.slice(match[0].length);
  if (nsn === digits) return digits;
  if (plan.nationalNumber.test(digits) && !plan.nationalNumber.test(nsn)) return digits;
  const lengthsPlan = exactRegion(regions, nsn) ?? plan;
  return lengthIsPossible(lengthsPlan.lengths, nsn.length) ? nsn : digits;
}

/** E.164 of `+<digits>` when valid, else undefined. */
export function validInternational(digits: string): string | undefined {
  for (let ccLength = 1; ccLength <= 3 && ccLength < digits.length; ccLength++) {
    const callingCode = digits.slice(0, ccLength);
    const regions = regionsForCallingCode(callingCode);
    if (regions === undefined) continue;
    const main = regionPlan(regions[0] as string);
    if (main === undefined) return undefined;
    const nsn = extractNationalNumber(main, regions, digits.slice(ccLength));
    const plan = exactRegion(regions, nsn) ?? main;
    return isValidFor(plan, nsn) ? `+${callingCode}${nsn}` : undefined;
  }
  return undefined;
}

/** E.164 of a number written in the national format of the plan's region, when valid, else undefined. */
export function validNational(digits: string, plan: RegionPlan): string | undefined {
  const regions = regionsForCallingCode(plan.callingCode) ?? [plan.region];
  const nsn = extractNationalNumber(plan, regions, digits);
  const exact = exactRegion(regions, nsn) ?? plan;
  return isValidFor(exact, nsn) ? `+${plan.callingCode}${nsn}` : undefined;
}
