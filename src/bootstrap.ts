import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import type { AppConfig } from './common/config/app-config.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { JsonLogger } from './common/logging/json-logger.js';
import { configureRedactionSecret } from './common/redaction/index.js';
import { PostgresIoAdapter } from './common/websocket/postgres-io.adapter.js';

/** Prototype-pollution keys make the body invalid JSON for us (400), before any object is built from it. */
function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`forbidden key "${key}" in JSON body`);
  return value;
}

const MAX_JSON_DEPTH = 64;

/**
 * Refuses a JSON body nested deeper than MAX_JSON_DEPTH (400 BAD_REQUEST naming `body`) before it is
 * parsed: one linear scan of the raw bytes, so deep nesting costs neither a stack overflow nor time.
 */
function rejectDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw Object.assign(new SyntaxError(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Builds the whole application for a resolved database: used by main.ts, the seed and the tests. */
export async function createApp(config: AppConfig & { databaseUrl: string }, extraImports: Type[] = []): Promise<NestExpressApplication> {
  configureRedactionSecret(config.redactionSecret);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extraImports), {
    logger: new JsonLogger(config.logLevel),
    bodyParser: false,
    abortOnError: false,
  });
  app.use(helmet(helmetOptions()));
  // Nest's type leaves `verify` out because it sets its own for `rawBody: true` (not used here, so ours stands).
  app.useBodyParser('json', { limit: config.bodyLimitBytes, reviver: rejectPrototypeKeys, verify: rejectDeepJson } as NestExpressBodyParserOptionsFor<'json'>);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins });
  app.useWebSocketAdapter(new PostgresIoAdapter(app, { databaseUrl: config.databaseUrl, corsOrigins: config.corsOrigins }));
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}

/**
 * Security headers. The CSP allows what the dashboard (own script and stylesheet, socket.io's
 * client from /socket.io, its socket on the same origin) and Swagger UI (own scripts, inline
 * <style>, data: icons) need, and nothing from elsewhere. No upgrade-insecure-requests: the
 * service speaks plain HTTP (TLS ends at the proxy), and the dashboard must work on localhost.
 */
function helmetOptions(): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
  };
}

function setupSwagger(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Agent runtime with guardrails')
    .setDescription('Multi-tenant appointment booking with an autonomous, policy-gated, audited agent runtime.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'platform admin key or a tenant API key' })
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
