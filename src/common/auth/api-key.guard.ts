import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CommonErrorCode, CommonException } from '../errors/app.exception.js';
import { ADMIN_ONLY, IS_PUBLIC } from './auth.decorators.js';
import { ApiKeyService } from './api-key.service.js';
import type { AuthenticatedRequest } from './principal.js';

/** Global guard: every route needs a bearer key unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new CommonException(CommonErrorCode.UNAUTHORIZED, 'missing bearer API key', 'authorization');
    const principal = await this.keys.resolve(token);
    if (!principal) throw new CommonException(CommonErrorCode.UNAUTHORIZED, 'invalid API key', 'authorization');
    req.principal = principal;
    if (principal.kind !== 'admin' && this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets)) {
      throw new CommonException(CommonErrorCode.FORBIDDEN, 'this route needs the platform admin key');
    }
    return true;
  }
}
