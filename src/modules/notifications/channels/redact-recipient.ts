import { redactPII } from '../../../common/redaction/index.js';

/** A recipient as it may appear in a log line: `[EMAIL:9f3a1c]`, `[PHONE:…]` (keyed hash, correlatable, not reversible). */
export function redactRecipient(recipient: string): string {
  return String(redactPII({ recipient }).recipient);
}
