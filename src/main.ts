import 'reflect-metadata';
import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { describeConfig, loadConfig, type AppConfig } from './config/app-config.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openDatabaseServer, type DatabaseServer } from './database/database-server.js';
import { describeStartupFailure, StartupError } from './database/startup-error.js';

/** Longest we wait for in-flight requests and background work before stopping anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

async function bootstrap(): Promise<void> {
  const logger = new Logger('bootstrap');
  // What has started so far, for a stop that comes during start-up.
  const started: { database?: DatabaseServer; app?: NestFastifyApplication } = {};

  // Our own signal handling, installed first so a stop during start-up still stops the embedded
  // database. The order is: stop accepting and drain requests, stop background work (app.close), then
  // stop the embedded database last.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: ${started.app ? 'draining' : 'stopping'}`);
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    try {
      await started.app?.close();
    } finally {
      await started.database?.stop();
      clearTimeout(deadline);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const config = readSettings();
  logger.log(describeConfig(config));
  if (config.usesDevelopmentSecret) logger.warn('JWT_SECRET is not set: using the development secret. Never do this in production.');
  // Before the database starts: a taken port should not cost an initdb to find out.
  await assertPortFree(config.PORT);
  const database = (started.database = await openDatabaseServer(config, (m) => logger.log(m)));
  let app: NestFastifyApplication | undefined;
  try {
    // Loaded only now: the whole application takes seconds to import, and a start that fails on its
    // settings or its database should say so at once.
    const { createApp } = await import('./app.setup.js');
    app = started.app = await createApp(Object.assign(config, { DATABASE_URL: database.url }));
    await app.listen({ port: config.PORT, host: '0.0.0.0' }).catch((error: NodeJS.ErrnoException) => {
      throw listenFailure(error, config.PORT);
    });
  } catch (error) {
    if (stopping) return;
    // The app first: its connections would otherwise see the database go away under them.
    await app?.close().catch(() => undefined);
    await database.stop();
    throw error;
  }
  logger.log(`eventshop listening on http://localhost:${config.PORT} (docs at /docs)`);
}

function readSettings(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    const problems = (error instanceof Error ? error.message : String(error)).replace(/^Invalid configuration:\s*/, '').split(/\n- |\n/).filter(Boolean);
    throw new StartupError(`invalid settings (${problems.join('; ').replace(/^- /, '')}): fix them in the environment or .env and start again.`);
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(error, port)));
    probe.listen({ port, host: '0.0.0.0', exclusive: true }, () => probe.close(() => resolve()));
  });
}

function listenFailure(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') return new StartupError(`port ${port} is already in use by another program: stop it, or set PORT to a free port.`);
  if (error.code === 'EACCES') return new StartupError(`port ${port} needs privileges this user lacks: set PORT to a port above 1023.`);
  return error;
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`eventshop cannot start: ${describeStartupFailure(error)}\n`);
  process.exit(1);
});
