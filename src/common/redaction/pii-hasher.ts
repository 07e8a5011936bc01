import { randomBytes } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';
import type { PiiKind } from './redaction.types.js';

let hmac: HmacSha256 | undefined;

/** Sets the HMAC key used for replacement tags. Call once at start-up, before anything is redacted. */
export function configureRedactionSecret(value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error('configureRedactionSecret: the secret must be a non-empty string');
  }
  hmac = new HmacSha256(Buffer.from(value, 'utf8'));
}

function currentHmac(): HmacSha256 {
  if (hmac === undefined) {
    const fromEnv = process.env['REDACTION_SECRET'];
    // Without a configured secret, tags are only comparable within this process: that is the safe default.
    hmac = new HmacSha256(fromEnv !== undefined && fromEnv.length > 0 ? Buffer.from(fromEnv, 'utf8') : randomBytes(32));
  }
  return hmac;
}

/**
 * `[KIND:xxxxxx]`: the kind plus the first 6 hex chars of HMAC-SHA256(secret, kind + NUL + normalised).
 * The kind is part of the message so that equal strings of different kinds do not correlate.
 */
export function piiTag(kind: PiiKind, normalised: string): string {
  return `[${kind}:${currentHmac().hexPrefix(`${kind}\u0000${normalised}`, 6)}]`;
}
