import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { loadConfig, type AppConfig } from '../config/app-config.js';

/**
 * The application without HTTP, running the projections, reactions, timers and webhook delivery on this
 * thread's event loop: the worker thread's and `npm run projector`'s. `settings` are the service's
 * (DATABASE_URL set); PROJECTIONS is `inline` here whatever they say, since this is where the work runs.
 */
export async function openProjector(settings: Record<string, string | undefined>): Promise<INestApplicationContext> {
  const config: AppConfig = loadConfig({ ...settings, PROJECTIONS: 'inline' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  return app;
}
