import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
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

/** The path of the first string (or key) holding a NUL character: PostgreSQL text cannot store one. */
function nulAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (!value || typeof value !== 'object' || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return at;
    const found = nulAt(v, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses NUL characters in a body, query or path value (400 naming the field) before validation. */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const at = metadata.type === 'custom' ? null : nulAt(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (at !== null) {
      const field = at || (metadata.type === 'body' ? 'body' : metadata.type);
      throw new CommonException(CommonErrorCode.VALIDATION_FAILED, `${field}: must not contain NUL characters`, field);
    }
    return super.transform(value, metadata);
  }
}

/** DTO validation: unknown fields are rejected; NUL characters too; a failure names the first wrong field. */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
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
