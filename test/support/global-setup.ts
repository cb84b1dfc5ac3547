import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresServerUrl: string;
  }
}

/** One embedded PostgreSQL for the whole run; each test file creates its own database on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_SERVER_URL) {
    project.provide('postgresServerUrl', process.env.TEST_DATABASE_SERVER_URL);
    return async () => {};
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eventshop-test-pg-'));
  // As root the server runs as the `postgres` user; a folder it can enter keeps the data here, in the
  // folder removed below, rather than in /var/lib/eventshop (see startEmbeddedPostgres).
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port: await freePort() });
  project.provide('postgresServerUrl', server.serverUrl);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

