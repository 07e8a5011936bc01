import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppException } from '../errors/app.exception.js';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
  correlation_id?: string;
}

/** Socket errors and SQLSTATEs of a database that is gone; EPIPE: a (pipelined) write to a connection the server closed. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']);
/**
 * A connection lost in the middle of a request (the server shut down or restarted) surfaces without
 * a code: pg's "Connection terminated unexpectedly", and TypeORM's released-runner errors when the
 * pool dropped the broken client under a running transaction. They mean "database unavailable" too.
 */
const CONNECTION_LOSS_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);
const CONNECTION_LOSS_MESSAGE = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;

function isDatabaseUnavailable(e: { code?: string; name?: string; message?: string; driverError?: { code?: string; message?: string } } | undefined): boolean {
  if (!e) return false;
  if (e.code && CONNECTION_ERRORS.has(e.code)) return true;
  if (e.driverError?.code && CONNECTION_ERRORS.has(e.driverError.code)) return true;
  if (e.name && CONNECTION_LOSS_NAMES.has(e.name)) return true;
  return CONNECTION_LOSS_MESSAGE.test(e.message ?? '') || CONNECTION_LOSS_MESSAGE.test(e.driverError?.message ?? '');
}

/** Maps every error to one JSON shape; anything unexpected is logged with a correlation id (a bug). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { correlationId?: string }>();
    const body = this.toBody(exception, req.correlationId);
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, correlationId?: string): ErrorBody {
    // Nest's Express adapter wraps body-parser errors in an HttpException: answer them from their cause.
    const cause = exception instanceof HttpException ? (exception.cause as { type?: unknown } | undefined) : undefined;
    if (typeof cause?.type === 'string' && cause.type.startsWith('entity.')) exception = cause;
    if (exception instanceof AppException) {
      return { statusCode: exception.status, error: exception.code, message: exception.message, field: exception.field, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      const message = typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? exception.message);
      const error = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 429 ? 'TOO_MANY_REQUESTS' : status === 404 ? 'NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : exception.name;
      return { statusCode: status, error, message };
    }
    // body-parser errors (malformed JSON, too large) carry an HTTP status of their own.
    const e = exception as { status?: number; type?: string; code?: string; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      const error = e.status === 413 ? 'PAYLOAD_TOO_LARGE' : e.type === 'entity.parse.failed' ? 'INVALID_JSON' : 'BAD_REQUEST';
      const message = e.status === 413 ? 'request body is too large' : e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(e.message ?? 'bad request');
      return { statusCode: e.status, error, message, field: e.status === 413 || e.type?.startsWith('entity.') ? 'body' : undefined };
    }
    const id = correlationId ?? randomUUID();
    if (isDatabaseUnavailable(e)) {
      this.logger.warn(`database unavailable (${e.code ?? (exception as Error).name ?? 'connection lost'}) correlation_id=${id}`);
      return { statusCode: 503, error: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry shortly', correlation_id: id };
    }
    this.logger.error(`unhandled error correlation_id=${id}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return { statusCode: 500, error: 'INTERNAL', message: 'internal error', correlation_id: id };
  }
}
