/**
 * The base of every module's exception: a stable machine-readable code, the HTTP status it maps to,
 * a human-readable message and, for bad input, the field that is wrong.
 */
export class AppException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export enum CommonErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
}

const COMMON_STATUS: Record<CommonErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
};

export class CommonException extends AppException {
  constructor(code: CommonErrorCode, message: string, field?: string) {
    super(code, COMMON_STATUS[code], message, field);
  }
}
