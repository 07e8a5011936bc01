import { AppException } from '../../common/errors/app.exception.js';

export enum AutonomyErrorCode {
  MASTER_SWITCH_OFF = 'MASTER_SWITCH_OFF',
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
  UNREGISTERED_TOOL = 'UNREGISTERED_TOOL',
  INVALID_TOOL_INPUT = 'INVALID_TOOL_INPUT',
}

const STATUS: Record<AutonomyErrorCode, number> = {
  MASTER_SWITCH_OFF: 409,
  TENANT_NOT_FOUND: 404,
  UNREGISTERED_TOOL: 400,
  INVALID_TOOL_INPUT: 400,
};

export class AutonomyException extends AppException {
  constructor(code: AutonomyErrorCode, message: string, field?: string) {
    super(code, STATUS[code], message, field);
  }
}
