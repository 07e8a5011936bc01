import { AppException } from '../../common/errors/app.exception.js';

export enum PolicyErrorCode {
  INVALID_CONDITIONS = 'INVALID_CONDITIONS',
  UNKNOWN_ACTION = 'UNKNOWN_ACTION',
  RULE_NOT_FOUND = 'RULE_NOT_FOUND',
  GLOBAL_RULE_ADMIN_ONLY = 'GLOBAL_RULE_ADMIN_ONLY',
  POLICY_DENIED = 'POLICY_DENIED',
}

const STATUS: Record<PolicyErrorCode, number> = {
  INVALID_CONDITIONS: 400,
  UNKNOWN_ACTION: 400,
  RULE_NOT_FOUND: 404,
  GLOBAL_RULE_ADMIN_ONLY: 403,
  POLICY_DENIED: 403,
};

export class PolicyException extends AppException {
  constructor(code: PolicyErrorCode, message: string, field?: string, details?: Record<string, unknown>) {
    super(code, STATUS[code], message, field, details);
  }
}
