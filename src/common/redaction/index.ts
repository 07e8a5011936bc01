export { redactPII, redactText, configureRedactionSecret } from './redact-pii.js';
export { classifyKey, normaliseKey } from './pii-keys.js';
export { DEFAULT_PHONE_REGIONS } from './phone-detector.js';
export type { KeyClass, PiiKind, RedactionOptions, TextRedactionOptions } from './redaction.types.js';
