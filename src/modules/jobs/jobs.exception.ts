import { AppException } from '../../common/errors/app.exception.js';

export enum JobsErrorCode {
  JOB_NOT_FOUND = 'JOB_NOT_FOUND',
  /** A running job cannot be cancelled through the API: its worker owns it until it finishes. */
  JOB_CLAIMED = 'JOB_CLAIMED',
  INVALID_STATE = 'INVALID_STATE',
  /** Retrying would make a second active job with the same dedupe key. */
  DUPLICATE_JOB = 'DUPLICATE_JOB',
  INVALID_JOB = 'INVALID_JOB',
  /** The payload looks like it carries personal data (an email, a phone number, a name…). */
  PII_IN_PAYLOAD = 'PII_IN_PAYLOAD',
}

const STATUS: Record<JobsErrorCode, number> = {
  JOB_NOT_FOUND: 404,
  JOB_CLAIMED: 409,
  INVALID_STATE: 409,
  DUPLICATE_JOB: 409,
  INVALID_JOB: 400,
  PII_IN_PAYLOAD: 400,
};

export class JobsException extends AppException {
  constructor(code: JobsErrorCode, message: string, field?: string) {
    super(code, STATUS[code], message, field);
  }
}
