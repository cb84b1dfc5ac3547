import 'reflect-metadata';
import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { readEnvironment } from '../config/settings-sources.js';
import { openDatabaseServer, type DatabaseServer } from '../database/database-server.js';
import { describeStartupFailure } from '../database/startup-error.js';

/** A tool's stdout is its answer (scripts parse it); the service's warnings go to stderr. */
class DiagnosticsLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

export interface CliApplication {
  readonly app: INestApplicationContext;
  /** Stops the application (aborting a rebuild in progress) and, if we started it, the embedded database. */
  close(): Promise<void>;
}

/**
 * The service's modules without an HTTP listener, for the command-line tools: `DATABASE_URL`, else the
 * embedded PostgreSQL `npm start` is running, else the embedded PostgreSQL started for the duration.
 * Ctrl-C closes it cleanly. A failure to open is one sentence on stderr and exit code 1.
 */
export async function openCliApplication(): Promise<CliApplication> {
  let database: DatabaseServer | undefined;
  let app: INestApplicationContext;
  try {
    // PROJECTIONS=off: a tool runs its own rebuild or verify, not the service's background work (nor its thread).
    const config = loadConfig({ LOG_LEVEL: 'warn', ...readEnvironment().values, PROJECTIONS: 'off' });
    database = await openDatabaseServer(config, (message) => process.stderr.write(`${message}\n`), { reuseRunning: true });
    app = await NestFactory.createApplicationContext(AppModule.forRoot(Object.assign(config, { DATABASE_URL: database.url })), {
      logger: new DiagnosticsLogger({ logLevels: ['error', 'warn'] }),
      abortOnError: false,
    });
  } catch (error) {
    await database?.stop();
    process.stderr.write(`cannot open the shop's database: ${describeStartupFailure(error)}\n`);
    process.exit(1);
  }
  const opened = database;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close().finally(() => opened.stop()));
  const interrupt = () => {
    process.stderr.write('\ninterrupted: stopping\n');
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  return { app, close };
}
