import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/principal.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Gives every request a correlation id (the caller's `x-correlation-id` if well-formed) and echoes it. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-correlation-id'];
  const correlationId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  (req as Request & AuthenticatedRequest).correlationId = correlationId;
  res.setHeader('x-correlation-id', correlationId);
  next();
}
