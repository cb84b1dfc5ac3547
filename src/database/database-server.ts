import type { AppConfig } from '../config/app-config.js';
import { ensureDatabase, findRunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseServer {
  readonly url: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` if set; otherwise the embedded PostgreSQL, started now and kept under EMBEDDED_PG_DIR.
 * With `reuseRunning` (the command-line tools), an embedded server already running on EMBEDDED_PG_PORT
 * (`npm start` is up) is used as it is, and left running.
 */
export async function openDatabaseServer(
  config: AppConfig,
  log: (message: string) => void,
  options: { reuseRunning?: boolean } = {},
): Promise<DatabaseServer> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
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
