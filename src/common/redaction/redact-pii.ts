import { classifyKey } from './pii-keys.js';
import { piiTag } from './pii-hasher.js';
import { normalisePhoneValue, DEFAULT_PHONE_REGIONS } from './phone-detector.js';
import type { KeyClass, PiiKind, RedactionOptions } from './redaction.types.js';
import { DEFAULT_MAX_STRING_LENGTH, redactText, TRUNCATED } from './text-redactor.js';

export { configureRedactionSecret } from './pii-hasher.js';
export { redactText } from './text-redactor.js';

const SECRET = '[SECRET]';
const CIRCULAR = '[Circular]';
const BINARY = '[Binary]';
const UNREADABLE = '[Unreadable]';

const DEFAULTS = {
  maxDepth: 32,
  maxStringLength: DEFAULT_MAX_STRING_LENGTH,
  maxKeys: 1000,
  maxItems: 1000,
  maxNodes: 100_000,
} as const;

type Settings = { -readonly [K in keyof typeof DEFAULTS]: number } & { phoneRegions: readonly string[] };

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function normaliseFreeForm(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A literal `__proto__` key must stay a plain property, not replace the prototype.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Cheap test for "could this key contain an address, a number or an IP worth scanning". */
function mayHoldPii(key: string): boolean {
  if (key.length < 4) return false;
  let digits = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 58) digits++;
    else if (c === 64) return true;
  }
  return digits >= 3;
}

class PiiRedactor {
  private readonly ancestors: object[] = [];
  private nodes = 0;
  /** Counts alterations, so a nested JSON string with nothing to redact is returned verbatim. */
  changes = 0;

  constructor(private readonly settings: Settings) {}

  walk(value: unknown, depth: number, forced: KeyClass | undefined): unknown {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
      case 'string':
        return forced === undefined ? this.redactString(value, depth) : this.tagValue(forced, value);
      case 'number':
      case 'bigint':
        return forced === undefined ? value : this.tagValue(forced, String(value));
      case 'object':
        return this.walkObject(value, depth, forced);
      default:
        return value; // booleans carry no identity; functions and symbols are not data
    }
  }

  private tagValue(cls: KeyClass, raw: string): string {
    if (raw === '') return raw;
    // Already redacted (a payload redacted once, then audited): keep the tag, so the same value
    // carries the same tag in domain_events and audit_log.
    if (cls !== 'SECRET' && ALREADY_TAGGED.test(raw)) return raw;
    this.changes++;
    if (cls === 'SECRET') return SECRET;
    const kind = cls === 'CONTACT' ? this.inferContactKind(raw) : cls;
    return piiTag(kind, this.normaliseFor(kind, raw));
  }

  private inferContactKind(raw: string): PiiKind {
    if (raw.includes('@')) return 'EMAIL';
    const digits = raw.replace(/\D/g, '').length;
    return digits >= 7 && /^[\s+\d().\-/]+$/.test(raw) ? 'PHONE' : 'PII';
  }

  private normaliseFor(kind: PiiKind, raw: string): string {
    switch (kind) {
      case 'EMAIL':
        return raw.normalize('NFC').trim().toLowerCase();
      case 'PHONE':
        return normalisePhoneValue(raw, this.settings.phoneRegions);
      case 'CARD':
        return raw.replace(/\D/g, '');
      case 'IBAN':
        return raw.replace(/\s/g, '').toUpperCase();
      case 'IP':
        return raw.trim().toLowerCase();
      default:
        return normaliseFreeForm(raw);
    }
  }

  private redactString(s: string, depth: number): string {
    const nested = this.redactJsonString(s, depth);
    if (nested !== undefined) return nested;
    const out = redactText(s, this.settings);
    if (out !== s) this.changes++;
    return out;
  }

  /** A string holding a JSON object/array is redacted structurally and re-serialised. */
  private redactJsonString(s: string, depth: number): string | undefined {
    if (s.length < 2 || s.length > this.settings.maxStringLength) return undefined;
    const trimmed = s.trim();
    const open = trimmed.charCodeAt(0);
    const close = trimmed.charCodeAt(trimmed.length - 1);
    const isObject = open === 123 && close === 125;
    const isArray = open === 91 && close === 93;
    if (!isObject && !isArray) return undefined;
    // `[PHONE:…]`, `[Truncated]`, `[see notes]` are not JSON: avoid a throwing JSON.parse.
    if (isArray && !/^\[\s*(?:[[{"\]\-\d]|true|false|null)/.test(trimmed)) return undefined;
    if (isObject && !/^\{\s*["}]/.test(trimmed)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    const before = this.changes;
    const redacted = this.walk(parsed, depth + 1, undefined);
    return this.changes === before ? s : JSON.stringify(redacted);
  }

  private walkObject(value: object, depth: number, forced: KeyClass | undefined): unknown {
    if (++this.nodes > this.settings.maxNodes || depth >= this.settings.maxDepth) {
      this.changes++;
      return TRUNCATED;
    }
    if (this.ancestors.includes(value)) {
      this.changes++;
      return CIRCULAR;
    }
    this.ancestors.push(value);
    try {
      if (Array.isArray(value)) return this.walkItems(value, depth, forced);
      const proto: unknown = Object.getPrototypeOf(value);
      // Plain data objects, by far the most common, skip the instanceof chain below.
      if ((proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
        return this.walkProperties(value, depth, forced);
      }
      return this.walkSpecialObject(value, depth, forced);
    } finally {
      this.ancestors.pop();
    }
  }

  private walkSpecialObject(value: object, depth: number, forced: KeyClass | undefined): unknown {
    if (value instanceof Date) {
      const iso = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      return forced === undefined ? iso : this.tagValue(forced, iso);
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return BINARY;
    if (value instanceof Error) {
      const message = forced === undefined ? this.redactString(value.message, depth) : this.tagValue(forced, value.message);
      return { name: value.name, message };
    }
    if (value instanceof Set) return this.walkItems([...value], depth, forced);
    if (value instanceof Map) return this.walkMap([...value.entries()], depth, forced);
    if (value instanceof RegExp) return this.walk(String(value), depth, forced);
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let json: unknown;
      try {
        json = toJSON.call(value);
      } catch {
        json = UNREADABLE;
      }
      return this.walk(json, depth + 1, forced);
    }
    return this.walkProperties(value, depth, forced);
  }

  private walkItems(items: readonly unknown[], depth: number, forced: KeyClass | undefined): unknown[] {
    const limit = Math.min(items.length, this.settings.maxItems);
    const out = new Array<unknown>(limit);
    for (let i = 0; i < limit; i++) out[i] = this.walk(items[i], depth + 1, forced);
    if (items.length > limit) {
      this.changes++;
      out.push(`${TRUNCATED} ${items.length - limit} more items`);
    }
    return out;
  }

  private walkProperties(value: object, depth: number, inherited: KeyClass | undefined): Record<string, unknown> {
    const keys = Object.keys(value);
    const out: Record<string, unknown> = {};
    const limit = Math.min(keys.length, this.settings.maxKeys);
    for (let i = 0; i < limit; i++) {
      const key = keys[i] as string;
      let property: unknown;
      try {
        property = (value as Record<string, unknown>)[key];
      } catch {
        property = UNREADABLE;
      }
      this.walkEntry(out, key, property, depth, inherited);
    }
    this.noteDroppedKeys(out, keys.length - limit);
    return out;
  }

  private walkMap(entries: ReadonlyArray<readonly [unknown, unknown]>, depth: number, inherited: KeyClass | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const limit = Math.min(entries.length, this.settings.maxKeys);
    for (let i = 0; i < limit; i++) {
      const [key, value] = entries[i] as readonly [unknown, unknown];
      this.walkEntry(out, typeof key === 'string' ? key : String(key), value, depth, inherited);
    }
    this.noteDroppedKeys(out, entries.length - limit);
    return out;
  }

  private walkEntry(out: Record<string, unknown>, key: string, value: unknown, depth: number, inherited: KeyClass | undefined): void {
    const cls = classifyKey(key) ?? inherited;
    const outKey = mayHoldPii(key) ? this.redactKey(key) : key;
    if (cls === 'SECRET') {
      if (!isEmptyValue(value)) this.changes++;
      setOwn(out, outKey, isEmptyValue(value) ? value : SECRET);
    } else {
      setOwn(out, outKey, this.walk(value, depth + 1, cls));
    }
  }

  private noteDroppedKeys(out: Record<string, unknown>, dropped: number): void {
    if (dropped > 0) {
      this.changes++;
      setOwn(out, TRUNCATED, `${dropped} more keys`);
    }
  }

  private redactKey(key: string): string {
    const out = redactText(key, this.settings);
    if (out !== key) this.changes++;
    return out;
  }
}

/**
 * Deep copy of value with personal data replaced by `[KIND:hash]` tags and secrets by `[SECRET]`.
 * Never mutates its input. Cycles become '[Circular]'; a shared (non-cyclic) object is redacted
 * wherever it appears. Output size is bounded by the depth/keys/items/nodes/string limits.
 */
const ALREADY_TAGGED = /^\[[A-Z]+:[0-9a-f]{6}\]$/;

export function redactPII<T>(value: T, options?: RedactionOptions): T {
  const settings: Settings = {
    maxDepth: options?.maxDepth ?? DEFAULTS.maxDepth,
    maxStringLength: options?.maxStringLength ?? DEFAULTS.maxStringLength,
    maxKeys: options?.maxKeys ?? DEFAULTS.maxKeys,
    maxItems: options?.maxItems ?? DEFAULTS.maxItems,
    maxNodes: options?.maxNodes ?? DEFAULTS.maxNodes,
    phoneRegions: options?.phoneRegions ?? DEFAULT_PHONE_REGIONS,
  };
  return new PiiRedactor(settings).walk(value, 0, undefined) as T;
}
