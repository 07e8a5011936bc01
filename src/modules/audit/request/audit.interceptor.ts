import { CallHandler, ExecutionContext, HttpException, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AuditBatchWriter } from '../../../common/audit/audit-batch-writer.js';
import type { AuthenticatedRequest } from '../../../common/auth/principal.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { requestAuditEntry, shouldAuditRequest, type RequestAuditFacts } from './request-audit-entry.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function errorStatus(err: unknown): number {
  if (err instanceof AppException) return err.status;
  if (err instanceof HttpException) return err.getStatus();
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

function errorCode(err: unknown): string {
  if (err instanceof AppException) return err.code;
  if (err instanceof Error) return err.name;
  return 'UNKNOWN';
}

function responseId(value: unknown): string | undefined {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && UUID.test(id) ? id : undefined;
}

/**
 * Audits every admin API request (see `shouldAuditRequest`): route, method, actor, final status,
 * duration, redacted body, params and query, correlation id. The row is written when the response
 * has gone out (its status is then final, errors included), through the batch writer, off the request path.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AuditInterceptor');

  constructor(private readonly audit: AuditBatchWriter) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    if (!shouldAuditRequest(req.method, req.path, req.principal)) return next.handle();

    const started = performance.now();
    const handler = `${ctx.getClass().name}.${ctx.getHandler().name}`;
    let failure: unknown;
    let failed = false;
    let createdId: string | undefined;
    let done = false;
    const record = (finished: boolean) => {
      if (done) return;
      done = true;
      try {
        const facts: RequestAuditFacts = {
          method: req.method,
          route: typeof req.route?.path === 'string' ? req.route.path : handler,
          handler,
          principal: req.principal,
          correlationId: req.correlationId ?? null,
          status: finished ? res.statusCode : failed ? errorStatus(failure) : res.statusCode,
          durationMs: performance.now() - started,
          params: req.params,
          query: req.query,
          body: req.body,
          errorCode: failed ? errorCode(failure) : undefined,
          responseId: createdId,
          aborted: !finished,
        };
        this.audit.add(requestAuditEntry(facts));
      } catch (e) {
        this.logger.error(`could not audit ${req.method} ${handler}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    res.once('finish', () => record(true));
    res.once('close', () => record(res.writableFinished));

    return next.handle().pipe(
      tap((value) => {
        createdId = responseId(value);
      }),
      catchError((err: unknown) => {
        failed = true;
        failure = err;
        return throwError(() => err);
      }),
    );
  }
}
