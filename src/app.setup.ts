import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppOptions } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { edgeServerOptions, registerRequestEdge } from './http/request-edge.js';
import { requestIdOf } from './http/request-id.js';
import { RequestLog } from './observability/request-logging.js';
import { buildOpenApiDocument } from './http/openapi/document.js';
import { createValidationPipe } from './http/validation.pipe.js';

/** The contract's request size limit; larger bodies answer 413 PAYLOAD_TOO_LARGE. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the application as both the server and the tests run it. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, ...edgeServerOptions(config), genReqId: requestIdOf }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.get(RequestLog).register(app.getHttpAdapter().getInstance());
  await registerRequestEdge(app, config);
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  await app.init();
  return app;
}
