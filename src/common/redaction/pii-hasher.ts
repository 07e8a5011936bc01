import { createHmac, randomBytes } from 'node:crypto';
import type { PiiKind } from './redaction.types.js';

let secret: Buffer | undefined;

/** Sets the HMAC key used for replacement tags. Call once at start-up, before anything is redacted. */
export function configureRedactionSecret(value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error('configureRedactionSecret: the secret must be a non-empty string');
  }
  secret = Buffer.from(value, 'utf8');
}

function currentSecret(): Buffer {
  if (secret === undefined) {
    const fromEnv = process.env['REDACTION_SECRET'];
    // Without a configured secret, tags are only comparable within this process: that is the safe default.
    secret = fromEnv !== undefined && fromEnv.length > 0 ? Buffer.from(fromEnv, 'utf8') : randomBytes(32);
  }
  return secret;
}

/**
 * `[KIND:xxxxxx]`: the kind plus the first 6 hex chars of HMAC-SHA256(secret, kind + NUL + normalised).
 * The kind is part of the message so that equal strings of different kinds do not correlate.
 */
export function piiTag(kind: PiiKind, normalised: string): string {
  const digest = createHmac('sha256', currentSecret()).update(kind).update('\u0000').update(normalised).digest('hex');
  return `[${kind}:${digest.slice(0, 6)}]`;
}
