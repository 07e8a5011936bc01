import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const ADMIN_ONLY = 'auth:admin-only';

/** The route needs no API key (health, metrics, docs, dashboard). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** OpenAPI extension naming the routes only the platform admin key may call. */
export const ADMIN_ONLY_EXTENSION = 'x-admin-only';

/** Only the platform admin key may call the route; a tenant key gets 403 (documented as such). */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(ADMIN_ONLY, true),
    ApiExtension(ADMIN_ONLY_EXTENSION, true),
    ApiErrors({ 403: 'FORBIDDEN: only the platform admin key may call this route' }),
  );

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public route');
  return req.principal;
});
