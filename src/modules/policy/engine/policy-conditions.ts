import {
  POLICY_CHANNELS,
  type ConditionResult,
  type PolicyChannel,
  type PolicyContext,
} from './policy.types.js';
import {
  dailyWindowExit,
  inDailyWindow,
  isValidTimeZone,
  localMinuteOfDay,
  parseIsoInstant,
} from '../../../common/time/zoned-time.js';

/** Daily local window during which an allow rule does not match; the action is deferred. */
export interface QuietHours {
  /** HH:MM, 24h, inclusive. */
  readonly start: string;
  /** HH:MM, 24h, exclusive; earlier than start = the window spans midnight. */
  readonly end: string;
  /** IANA zone. */
  readonly timezone: string;
}

export interface PolicyConditions {
  readonly min_lead_time_minutes?: number;
  readonly max_lead_time_minutes?: number;
  readonly quiet_hours?: QuietHours;
  readonly channels?: readonly PolicyChannel[];
  readonly max_per_recipient_per_day?: number;
  readonly max_per_appointment?: number;
}

/** Canonical order: cheap checks first, quiet hours (time zone math) last. */
export const CONDITION_NAMES = Object.freeze([
  'min_lead_time_minutes',
  'max_lead_time_minutes',
  'channels',
  'max_per_recipient_per_day',
  'max_per_appointment',
  'quiet_hours',
] as const);

export type ConditionName = (typeof CONDITION_NAMES)[number];

export const MAX_LEAD_TIME_MINUTES = 525_600; // one year
export const MAX_COUNTER_LIMIT = 1_000_000;

export interface ConditionValidationError {
  path: string;
  message: string;
}

export type ConditionValidation =
  | { ok: true; value: PolicyConditions }
  | { ok: false; errors: ConditionValidationError[] };

const MAX_ERRORS = 20;
const MAX_ECHO = 64;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const QUIET_HOURS_KEYS = ['start', 'end', 'timezone'] as const;
const CONDITION_NAME_SET: ReadonlySet<string> = new Set(CONDITION_NAMES);
const CHANNEL_SET: ReadonlySet<string> = new Set(POLICY_CHANNELS);

/** Quote a user-supplied key or value without letting a huge string through. */
function echo(value: string): string {
  return value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own data property, read without running getters; undefined when absent or an accessor. */
function readOwn(target: object, key: PropertyKey): { value: unknown } | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined || !('value' in descriptor)) return undefined;
  return { value: descriptor.value };
}

class Collector {
  readonly errors: ConditionValidationError[] = [];
  add(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message });
  }
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function validateInteger(
  errors: Collector,
  path: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (integerIn(value, min, max)) return value === 0 ? 0 : value; // normalises -0
  errors.add(path, `must be an integer between ${min} and ${max}`);
  return undefined;
}

function validateChannels(errors: Collector, value: unknown): PolicyChannel[] | undefined {
  if (!Array.isArray(value)) {
    errors.add('channels', 'must be a non-empty array of channels');
    return undefined;
  }
  const length: unknown = value.length;
  if (typeof length !== 'number' || length < 1 || length > POLICY_CHANNELS.length) {
    errors.add('channels', `must list between 1 and ${POLICY_CHANNELS.length} distinct channels`);
    return undefined;
  }
  const channels: PolicyChannel[] = [];
  for (let i = 0; i < length; i++) {
    const item = readOwn(value, String(i))?.value;
    if (typeof item !== 'string' || !CHANNEL_SET.has(item)) {
      errors.add(`channels[${i}]`, `must be one of ${POLICY_CHANNELS.join(', ')}`);
      return undefined;
    }
    if (channels.includes(item as PolicyChannel)) {
      errors.add(`channels[${i}]`, `duplicate channel ${item}`);
      return undefined;
    }
    channels.push(item as PolicyChannel);
  }
  return channels;
}

function validateQuietHours(errors: Collector, value: unknown): QuietHours | undefined {
  if (!isPlainObject(value)) {
    errors.add('quiet_hours', 'must be an object {start, end, timezone}');
    return undefined;
  }
  let valid = true;
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string' || !(QUIET_HOURS_KEYS as readonly string[]).includes(key)) {
      errors.add(
        typeof key === 'string' ? `quiet_hours.${echo(key)}` : 'quiet_hours',
        'unknown key; allowed: start, end, timezone',
      );
      valid = false;
    }
  }
  const start = readOwn(value, 'start')?.value;
  const end = readOwn(value, 'end')?.value;
  const timezone = readOwn(value, 'timezone')?.value;
  if (typeof start !== 'string' || !HH_MM.test(start)) {
    errors.add('quiet_hours.start', 'must be a time HH:MM (00:00-23:59)');
    valid = false;
  }
  if (typeof end !== 'string' || !HH_MM.test(end)) {
    errors.add('quiet_hours.end', 'must be a time HH:MM (00:00-23:59)');
    valid = false;
  }
  if (!isValidTimeZone(timezone)) {
    errors.add('quiet_hours.timezone', 'must be an IANA time zone, e.g. Europe/Berlin');
    valid = false;
  }
  if (!valid) return undefined;
  if (start === end) {
    errors.add('quiet_hours.end', 'must differ from start');
    return undefined;
  }
  return Object.freeze({ start: start as string, end: end as string, timezone: timezone as string });
}

function validateUnsafe(raw: unknown): ConditionValidation {
  const errors = new Collector();
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ path: '', message: 'conditions must be a JSON object' }] };
  }
  const out: {
    -readonly [K in keyof PolicyConditions]: PolicyConditions[K];
  } = {};
  for (const key of Reflect.ownKeys(raw)) {
    if (typeof key !== 'string') {
      errors.add('', 'symbol keys are not allowed');
      continue;
    }
    if (!CONDITION_NAME_SET.has(key)) {
      errors.add(echo(key), `unknown condition; allowed: ${CONDITION_NAMES.join(', ')}`);
      continue;
    }
    const own = readOwn(raw, key);
    if (own === undefined) {
      errors.add(key, 'must be a plain data value');
      continue;
    }
    const name = key as ConditionName;
    switch (name) {
      case 'min_lead_time_minutes':
      case 'max_lead_time_minutes':
        out[name] = validateInteger(errors, name, own.value, 0, MAX_LEAD_TIME_MINUTES);
        break;
      case 'max_per_recipient_per_day':
      case 'max_per_appointment':
        out[name] = validateInteger(errors, name, own.value, 1, MAX_COUNTER_LIMIT);
        break;
      case 'channels': {
        const channels = validateChannels(errors, own.value);
        if (channels !== undefined) out.channels = Object.freeze(channels);
        break;
      }
      case 'quiet_hours':
        out.quiet_hours = validateQuietHours(errors, own.value);
        break;
    }
  }
  const min = out.min_lead_time_minutes;
  const max = out.max_lead_time_minutes;
  if (min !== undefined && max !== undefined && min > max) {
    errors.add('min_lead_time_minutes', `must not exceed max_lead_time_minutes (${min} > ${max})`);
  }
  if (errors.errors.length > 0) return { ok: false, errors: errors.errors };
  const value: typeof out = {};
  for (const name of CONDITION_NAMES) {
    if (out[name] !== undefined) (value as Record<string, unknown>)[name] = out[name];
  }
  return { ok: true, value: Object.freeze(value) };
}

/**
 * Validates raw jsonb conditions. Never throws: hostile input (proxies, getters, odd prototypes,
 * huge values) is reported as an error, and the returned value is a fresh frozen object.
 */
export function validateConditions(raw: unknown): ConditionValidation {
  try {
    return validateUnsafe(raw);
  } catch {
    return { ok: false, errors: [{ path: '', message: 'conditions could not be read' }] };
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export type CompiledCondition =
  | { readonly kind: 'min_lead_time_minutes'; readonly minutes: number }
  | { readonly kind: 'max_lead_time_minutes'; readonly minutes: number }
  | { readonly kind: 'channels'; readonly channels: readonly PolicyChannel[] }
  | { readonly kind: 'max_per_recipient_per_day'; readonly limit: number }
  | { readonly kind: 'max_per_appointment'; readonly limit: number }
  | {
      readonly kind: 'quiet_hours';
      readonly spec: QuietHours;
      readonly startMinute: number;
      readonly endMinute: number;
      /** Last computed window exit; valid for every instant in [from, exit). */
      readonly memo: { from: number; exit: number; exitIso: string };
    };

function minuteOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Precomputes validated conditions into checks, in canonical (cheap first) order. */
export function compileConditions(conditions: PolicyConditions): CompiledCondition[] {
  const checks: CompiledCondition[] = [];
  for (const name of CONDITION_NAMES) {
    switch (name) {
      case 'min_lead_time_minutes':
      case 'max_lead_time_minutes': {
        const minutes = conditions[name];
        if (minutes !== undefined) checks.push({ kind: name, minutes });
        break;
      }
      case 'max_per_recipient_per_day':
      case 'max_per_appointment': {
        const limit = conditions[name];
        if (limit !== undefined) checks.push({ kind: name, limit });
        break;
      }
      case 'channels':
        if (conditions.channels !== undefined) checks.push({ kind: name, channels: conditions.channels });
        break;
      case 'quiet_hours': {
        const spec = conditions.quiet_hours;
        if (spec !== undefined) {
          checks.push({
            kind: name,
            spec,
            startMinute: minuteOf(spec.start),
            endMinute: minuteOf(spec.end),
            memo: { from: Number.NaN, exit: Number.NaN, exitIso: '' },
          });
        }
        break;
      }
    }
  }
  return checks;
}

/** Per-decision facts shared by every rule; lead time is parsed at most once. */
export interface ConditionInput {
  readonly context: PolicyContext;
  readonly nowMs: number;
  /** undefined = not computed yet; null = appointment_start missing or invalid. */
  leadMs: number | null | undefined;
}

export function createConditionInput(context: PolicyContext, nowMs: number): ConditionInput {
  return { context, nowMs, leadMs: undefined };
}

function leadMsOf(input: ConditionInput): number | null {
  if (input.leadMs === undefined) {
    const start = parseIsoInstant(input.context.appointment_start);
    input.leadMs = start === null ? null : start - input.nowMs;
  }
  return input.leadMs;
}

function counterOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function counterValue(check: CompiledCondition, context: PolicyContext): number | null {
  return counterOf(
    check.kind === 'max_per_recipient_per_day' ? context.sent_to_recipient_today : context.sent_for_appointment,
  );
}

/** Hot path: whether one condition holds, without building an explanation. */
export function conditionHolds(check: CompiledCondition, input: ConditionInput): boolean {
  switch (check.kind) {
    case 'min_lead_time_minutes': {
      const lead = leadMsOf(input);
      return lead !== null && lead >= check.minutes * 60_000;
    }
    case 'max_lead_time_minutes': {
      const lead = leadMsOf(input);
      return lead !== null && lead <= check.minutes * 60_000;
    }
    case 'channels': {
      const channel = input.context.channel;
      return typeof channel === 'string' && (check.channels as readonly string[]).includes(channel);
    }
    case 'max_per_recipient_per_day':
    case 'max_per_appointment': {
      const sent = counterValue(check, input.context);
      return sent !== null && sent < check.limit;
    }
    case 'quiet_hours':
      return !inDailyWindow(
        localMinuteOfDay(input.nowMs, check.spec.timezone),
        check.startMinute,
        check.endMinute,
      );
  }
}

type QuietHoursCheck = Extract<CompiledCondition, { kind: 'quiet_hours' }>;

/**
 * The exit is the first instant after `from` outside the window, so every instant in
 * [from, exit) is inside and shares that exit: during a quiet night all deferrals reuse it.
 */
function windowExit(check: QuietHoursCheck, nowMs: number): QuietHoursCheck['memo'] | null {
  const memo = check.memo;
  if (nowMs >= memo.from && nowMs < memo.exit) return memo;
  const exit = dailyWindowExit(nowMs, check.spec.timezone, check.startMinute, check.endMinute);
  if (exit === null) return null;
  memo.from = nowMs;
  memo.exit = exit;
  memo.exitIso = new Date(exit).toISOString();
  return memo;
}

export interface ExplainedCondition {
  result: ConditionResult;
  /** Epoch ms at which a failed quiet_hours window ends. */
  deferUntilMs?: number;
}

function displayActual(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') return echo(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return `<${typeof value}>`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const APPOINTMENT_START_MISSING = 'appointment_start missing or not an ISO 8601 instant with offset';

/** Slow path: the full, human readable outcome of one condition. */
export function explainCondition(check: CompiledCondition, input: ConditionInput): ExplainedCondition {
  const passed = conditionHolds(check, input);
  switch (check.kind) {
    case 'min_lead_time_minutes':
    case 'max_lead_time_minutes': {
      const lead = leadMsOf(input);
      if (lead === null) {
        return {
          result: { name: check.kind, required: check.minutes, actual: null, passed, detail: APPOINTMENT_START_MISSING },
        };
      }
      // Rounded towards failure (centi-minutes) so the shown value agrees with passed/failed.
      const centi = check.kind === 'min_lead_time_minutes' ? Math.floor(lead / 600) : Math.ceil(lead / 600);
      const actual = centi === 0 ? 0 : centi / 100;
      return { result: { name: check.kind, required: check.minutes, actual, passed } };
    }
    case 'channels': {
      const channel = input.context.channel;
      const result: ConditionResult = {
        name: check.kind,
        required: [...check.channels],
        actual: displayActual(channel),
        passed,
      };
      if (channel === undefined || channel === null) result.detail = 'context.channel missing';
      return { result };
    }
    case 'max_per_recipient_per_day':
    case 'max_per_appointment': {
      const field = check.kind === 'max_per_recipient_per_day' ? 'sent_to_recipient_today' : 'sent_for_appointment';
      const raw = input.context[field];
      const sent = counterValue(check, input.context);
      const result: ConditionResult = { name: check.kind, required: check.limit, actual: displayActual(raw), passed };
      if (sent === null) {
        result.detail = raw === undefined ? `context.${field} missing` : `context.${field} is not a count`;
      } else if (!passed) {
        result.detail = 'limit reached';
      }
      return { result };
    }
    case 'quiet_hours': {
      const minute = localMinuteOfDay(input.nowMs, check.spec.timezone);
      const result: ConditionResult = {
        name: check.kind,
        required: check.spec, // frozen
        actual: `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`,
        passed,
      };
      if (passed) return { result };
      const exit = windowExit(check, input.nowMs);
      if (exit === null) {
        result.detail = 'inside quiet hours';
        return { result };
      }
      result.detail = `inside quiet hours until ${exit.exitIso}`;
      return { result, deferUntilMs: exit.exit };
    }
  }
}

export interface ConditionsOutcome {
  passed: boolean;
  results: ConditionResult[];
  /** ISO instant the quiet hours window ends, when quiet_hours failed. */
  deferUntil?: string;
}

/** Evaluates every condition (no short circuit) and explains each one. */
export function evaluateConditions(
  conditions: PolicyConditions,
  context: PolicyContext,
  now: Date,
): ConditionsOutcome {
  const input = createConditionInput(context, now.getTime());
  const outcome: ConditionsOutcome = { passed: true, results: [] };
  for (const check of compileConditions(conditions)) {
    const explained = explainCondition(check, input);
    outcome.results.push(explained.result);
    if (!explained.result.passed) outcome.passed = false;
    if (explained.deferUntilMs !== undefined) outcome.deferUntil = new Date(explained.deferUntilMs).toISOString();
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function isQuietHoursShape(value: object): value is QuietHours {
  const v = value as Partial<Record<keyof QuietHours, unknown>>;
  return typeof v.start === 'string' && typeof v.end === 'string' && typeof v.timezone === 'string';
}

/** Display form of a condition's required/actual value. */
export function formatConditionValue(value: unknown): string {
  if (value === null || value === undefined) return 'missing';
  if (typeof value === 'string') return echo(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => formatConditionValue(item)).join(', ')}]`;
  if (typeof value === 'object' && isQuietHoursShape(value)) {
    return `${value.start}-${value.end} ${echo(value.timezone)}`;
  }
  return `<${typeof value}>`;
}

/** e.g. "min_lead_time_minutes: required 60, actual 42, failed". */
export function formatConditionResult(result: ConditionResult): string {
  const line = `${result.name}: required ${formatConditionValue(result.required)}, actual ${formatConditionValue(
    result.actual,
  )}, ${result.passed ? 'passed' : 'failed'}`;
  return result.detail === undefined ? line : `${line} (${result.detail})`;
}
