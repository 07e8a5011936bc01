/** Kinds of personal data a replacement tag can name: `[EMAIL:9f3a1c]`. */
export type PiiKind = 'EMAIL' | 'PHONE' | 'CARD' | 'IBAN' | 'IP' | 'NAME' | 'PII';

/**
 * What a matched key says about its value.
 * CONTACT means "some contact handle" (to/cc/recipient): the tag kind is inferred from the value.
 */
export type KeyClass = PiiKind | 'SECRET' | 'CONTACT';

/** A region of a string found by a detector. */
export interface PiiSpan {
  start: number;
  end: number;
  /** undefined marks a protected region: left untouched, but no other detector may claim it. */
  kind: PiiKind | undefined;
  /** Normalised form fed to the keyed hash. */
  normalised: string;
}

export interface TextRedactionOptions {
  /** Regions tried, in order, for phone numbers written in national format (no `+`/`00`). */
  phoneRegions?: readonly string[];
  /** Strings longer than this are cut (at a word boundary) and marked `[Truncated]`. */
  maxStringLength?: number;
}

export interface RedactionOptions extends TextRedactionOptions {
  /** Nesting depth beyond which values become '[Truncated]'. */
  maxDepth?: number;
  /** Own keys processed per object; the rest are dropped and noted. */
  maxKeys?: number;
  /** Items processed per array; the rest are dropped and noted. */
  maxItems?: number;
  /** Total values visited per call, a bound on pathological inputs. */
  maxNodes?: number;
}
