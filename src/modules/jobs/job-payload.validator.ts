import { classifyKey, redactText } from '../../common/redaction/index.js';
import { JobsErrorCode, JobsException } from './jobs.exception.js';

const MAX_DEPTH = 8;
const MAX_PAYLOAD_BYTES = 16_384;

/**
 * Job payloads are stored and audited as they are, so they carry ids and plain values only: a key
 * that names personal data (email, phone, client_name…) or a string value that the redactor would
 * change (an email, a phone, a card, an IBAN, an IP) is refused, naming the path. A handler that
 * needs the client's details loads them by id.
 */
export function assertJobPayload(payload: unknown): string {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new JobsException(JobsErrorCode.INVALID_JOB, 'payload must be a JSON object', 'payload');
  }
  visit(payload, 'payload', 0);
  const json = JSON.stringify(payload);
  if (json.length > MAX_PAYLOAD_BYTES) {
    throw new JobsException(JobsErrorCode.INVALID_JOB, `payload is larger than ${MAX_PAYLOAD_BYTES} bytes; store ids, not documents`, 'payload');
  }
  return json;
}

function visit(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new JobsException(JobsErrorCode.INVALID_JOB, `${path}: nested deeper than ${MAX_DEPTH} levels`, path);
  if (typeof value === 'string') {
    if (redactText(value) !== value) {
      throw new JobsException(JobsErrorCode.PII_IN_PAYLOAD, `${path}: looks like personal data (email, phone, card…); pass an id instead`, path);
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JobsException(JobsErrorCode.INVALID_JOB, `${path}: must be a finite number`, path);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const cls = classifyKey(k);
      if (cls !== undefined && v !== null && v !== undefined) {
        throw new JobsException(JobsErrorCode.PII_IN_PAYLOAD, `${path}.${k}: a ${cls.toLowerCase()} field does not belong in a job payload; pass an id instead`, `${path}.${k}`);
      }
      visit(v, `${path}.${k}`, depth + 1);
    }
    return;
  }
  if (value === undefined) return;
  throw new JobsException(JobsErrorCode.INVALID_JOB, `${path}: only JSON values (objects, arrays, strings, numbers, booleans, null)`, path);
}
