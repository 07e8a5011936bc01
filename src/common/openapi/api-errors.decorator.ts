import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ErrorView } from './error.view.js';

/** Error answers of a route (or of every route of a controller), each with the project's error shape. */
export const ApiErrors = (errors: Partial<Record<400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 503, string>>) =>
  applyDecorators(...Object.entries(errors).map(([status, description]) => ApiResponse({ status: Number(status), description, type: ErrorView })));

/**
 * A controller behind the bearer key: the security scheme, and the errors any of its routes may
 * answer before its handler runs (no or a wrong key, the rate limit).
 */
export const ApiProtected = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiErrors({
      401: 'UNAUTHORIZED: no bearer key, or an unknown or revoked key',
      429: 'TOO_MANY_REQUESTS: over RATE_LIMIT_PER_MINUTE for this client (see Retry-After)',
    }),
  );
