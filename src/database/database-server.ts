import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { ensureDatabase, findRunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { StartupError } from './startup-error.js';

export interface DatabaseServer {
  readonly url: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` if set (checked now, so a wrong one is one sentence rather than the ORM's retries);
 * otherwise the embedded PostgreSQL, started now and kept under EMBEDDED_PG_DIR. With `reuseRunning`
 * (the command-line tools), an embedded server already running on EMBEDDED_PG_PORT (`npm start` is up)
 * is used as it is, and left running.
 */
export async function openDatabaseServer(
  config: AppConfig,
  log: (message: string) => void,
  options: { reuseRunning?: boolean } = {},
): Promise<DatabaseServer> {
  if (config.DATABASE_URL) {
    await checkDatabaseUrl(config.DATABASE_URL);
    return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const running = options.reuseRunning ? await findRunningPostgres(config.EMBEDDED_PG_PORT) : undefined;
  if (running) {
    log(`using the embedded PostgreSQL already running on port ${config.EMBEDDED_PG_PORT}`);
    return { url: await ensureDatabase(running, 'eventshop'), embedded: true, stop: async () => {} };
  }
  log(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${config.EMBEDDED_PG_DIR} on port ${config.EMBEDDED_PG_PORT}`);
  const server = await startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, log });
  try {
    const url = await ensureDatabase(server.serverUrl, 'eventshop');
    return { url, embedded: true, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Connects once with `url`; a failure becomes a sentence naming the server (never the password). */
export async function checkDatabaseUrl(url: string): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new StartupError('DATABASE_URL is not a valid connection string: write it as postgres://user:password@host:5432/database.');
  }
  const where = `${target.hostname || 'localhost'}:${target.port || 5432}`;
  const database = decodeURIComponent(target.pathname.slice(1)) || decodeURIComponent(target.username);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw connectionFailure(error as NodeJS.ErrnoException & { code?: string }, where, decodeURIComponent(target.username), database);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function connectionFailure(error: { code?: string; message: string }, where: string, user: string, database: string): StartupError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new StartupError(`nothing answers at ${where}, the PostgreSQL named by DATABASE_URL: start that PostgreSQL, or fix DATABASE_URL.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`the host in DATABASE_URL (${where}) is unknown: fix DATABASE_URL.`);
    case '28P01':
    case '28000':
      return new StartupError(`the PostgreSQL at ${where} refused user "${user}" (${error.message}): fix the user or password in DATABASE_URL.`);
    case '3D000':
      return new StartupError(`the database "${database}" does not exist at ${where}: create it (createdb ${database}), or fix DATABASE_URL.`);
  }
  if (/timeout/i.test(error.message)) {
    return new StartupError(`the PostgreSQL at ${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s: check that it runs and is reachable, or fix DATABASE_URL.`);
  }
  return new StartupError(`cannot connect to the PostgreSQL at ${where} (${error.message}): fix DATABASE_URL, or the server it names.`);
}
