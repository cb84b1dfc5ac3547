import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import { describeConfig, loadConfig } from './config/app-config.js';
import { openDatabaseServer } from './database/database-server.js';

/** Longest we wait for in-flight requests and background work before stopping anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

async function bootstrap(): Promise<void> {
  const logger = new Logger('bootstrap');
  const config = loadConfig();
  logger.log(describeConfig(config));
  if (config.usesDevelopmentSecret) logger.warn('JWT_SECRET is not set: using the development secret. Never do this in production.');
  const database = await openDatabaseServer(config, (m) => logger.log(m));
  let app;
  try {
    app = await createApp(Object.assign(config, { DATABASE_URL: database.url }));
    await app.listen({ port: config.PORT, host: '0.0.0.0' });
  } catch (error) {
    await database.stop();
    throw error;
  }
  logger.log(`eventshop listening on http://localhost:${config.PORT} (docs at /docs)`);

  // Our own signal handling, so the order is: stop accepting and drain requests, stop background work
  // (app.close), then stop the embedded database last.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    try {
      await app.close();
    } finally {
      await database.stop();
      clearTimeout(deadline);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  new Logger('bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
