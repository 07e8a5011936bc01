import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrorCode, CommonException } from '../errors/app.exception.js';

function firstProblem(errors: ValidationError[], parent = ''): { field: string; reason: string } | null {
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints && Object.keys(e.constraints).length > 0) {
      return { field, reason: Object.values(e.constraints)[0] ?? 'is invalid' };
    }
    const nested = firstProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/** DTO validation: unknown fields are rejected; a failure names the first wrong field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const p = firstProblem(errors);
      const field = p?.field ?? 'body';
      const reason = p?.reason ?? 'is invalid';
      return new CommonException(CommonErrorCode.VALIDATION_FAILED, reason.startsWith(field) ? reason : `${field}: ${reason}`, field);
    },
  });
}
