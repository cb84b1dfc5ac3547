import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from '../http/openapi/document.js';

/**
 * Writes the OpenAPI document the service serves at `/docs-json` to a file (default `openapi.json`), for
 * the linters and the client generator. Nest's preview mode builds the module graph and the routes'
 * metadata without instantiating providers, so no database is needed or touched.
 */
const target = process.argv[2] ?? 'openapi.json';
const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(loadConfig({ LOG_LEVEL: 'silent' })), new FastifyAdapter(), {
  preview: true,
  logger: false,
});
const document = buildOpenApiDocument(app);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
await app.close();
