import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './common/config/app-config.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { JsonLogger } from './common/logging/json-logger.js';
import { configureRedactionSecret } from './common/redaction/index.js';

/** Prototype-pollution keys make the body invalid JSON for us (400), before any object is built from it. */
function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`forbidden key "${key}" in JSON body`);
  return value;
}

/** Builds the whole application for a resolved database: used by main.ts, the seed and the tests. */
export async function createApp(config: AppConfig & { databaseUrl: string }, extraImports: Type[] = []): Promise<NestExpressApplication> {
  configureRedactionSecret(config.redactionSecret);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extraImports), {
    logger: new JsonLogger(config.logLevel),
    bodyParser: false,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: config.bodyLimitBytes, reviver: rejectPrototypeKeys });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins });
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
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
