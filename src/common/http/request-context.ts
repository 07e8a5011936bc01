import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/principal.js';

/**
 * Who caused a change and which request (or job) it belongs to: recorded on its domain events,
 * jobs, notifications and audit rows. Passed explicitly from the controller (or the job runner, or
 * the event that triggered the work) down to where it is written. Not an AsyncLocalStorage: one
 * enables Node's promise hooks for every promise in the process, and measured here that cost
 * bench:booking about a sixth of its throughput.
 */
export interface RequestContext {
  readonly correlationId: string | null;
  readonly actor: string;
}

/** Work nobody asked for (sweepers, retention, startup). */
export const SYSTEM_CONTEXT: RequestContext = Object.freeze({ correlationId: null, actor: 'system' });

/** The context of an HTTP request: its correlation id (see the middleware) and its caller's actor. */
export function requestContextOf(req: AuthenticatedRequest): RequestContext {
  return { correlationId: req.correlationId ?? null, actor: req.principal?.actor ?? 'anonymous' };
}

/** The route's `RequestContext` (correlation id and the authenticated caller's actor). */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext => requestContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()));
