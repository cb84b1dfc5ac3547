import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/database/embedded-postgres.js';
import { locateBinaries } from '../../src/database/postgres-binaries.js';
import { StartupError } from '../../src/database/startup-error.js';
import { freePort, tempFolder } from './service-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function query(server: RunningPostgres, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.serverUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The StartupError a start fails with (a rejection with no error at all, as before, fails the test). */
async function failureOf(start: Promise<RunningPostgres>): Promise<StartupError> {
  const outcome = await start.then(
    (server) => server,
    (error: unknown) => error,
  );
  if (!(outcome instanceof StartupError)) {
    if (outcome && typeof outcome === 'object' && 'stop' in outcome) await (outcome as RunningPostgres).stop();
    throw new Error(`expected a StartupError, got ${String(outcome)}`);
  }
  return outcome;
}

describe('the embedded PostgreSQL launcher', () => {
  it('starts from a folder only its owner may enter (root home, mode 700), binaries and data inside it, and keeps the data', async () => {
    // A fresh clone in a private folder: the PostgreSQL build and the data folder both inside it.
    const owned = mkdtempSync(path.join(os.tmpdir(), 'eventshop-private-'));
    cleanups.push(() => rmSync(owned, { recursive: true, force: true }));
    const installed = await locateBinaries();
    const binaries = { dir: path.join(owned, 'node_modules', 'native'), version: installed.version };
    cpSync(installed.dir, binaries.dir, { recursive: true, verbatimSymlinks: true });
    // Where root keeps what the postgres user must reach: a scratch one, not the machine's /var/lib/eventshop.
    const state = tempFolder('eventshop-state-');
    cleanups.push(() => state.remove());
    const options = { dir: path.join(owned, '.data', 'postgres'), port: await freePort(), binaries, stateDir: state.dir };

    const first = await startEmbeddedPostgres(options);
    cleanups.push(() => first.stop());
    await query(first, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$still here$$)');
    await first.stop();

    const second = await startEmbeddedPostgres(options);
    cleanups.push(() => second.stop());
    expect(second.dataDir).toBe(first.dataDir);
    expect((await query(second, 'SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }]);
    await second.stop();
  });

  it('refuses a second server on a data folder whose server is in use, in one sentence', async () => {
    const folder = tempFolder('eventshop-in-use-');
    cleanups.push(() => folder.remove());
    const dir = path.join(folder.dir, 'data');
    const running = await startEmbeddedPostgres({ dir, port: await freePort() });
    cleanups.push(() => running.stop());
    const second = await failureOf(startEmbeddedPostgres({ dir, port: await freePort() }));
    expect(second.message).toMatch(/data folder .* is in use by the PostgreSQL of another running process .*EMBEDDED_PG_DIR/);
    expect((await query(running, 'SELECT 1 AS up')).rows).toEqual([{ up: 1 }]);
  });

  it('names the port and the setting when the port is taken', async () => {
    const folder = tempFolder('eventshop-port-');
    cleanups.push(() => folder.remove());
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    cleanups.push(() => void taken.close());
    const port = (taken.address() as { port: number }).port;
    const failure = await failureOf(startEmbeddedPostgres({ dir: path.join(folder.dir, 'data'), port }));
    expect(failure.message).toMatch(new RegExp(`port ${port} is already in use by another program.*EMBEDDED_PG_PORT`));
  });

  it('names both versions when the data folder is of another PostgreSQL major version', async () => {
    const folder = tempFolder('eventshop-version-');
    cleanups.push(() => folder.remove());
    const dir = path.join(folder.dir, 'data');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'PG_VERSION'), '16\n');
    const failure = await failureOf(startEmbeddedPostgres({ dir, port: await freePort() }));
    expect(failure.message).toMatch(/was made by PostgreSQL 16, but the embedded PostgreSQL is version 18: set EMBEDDED_PG_DIR to a new folder/);
  });
});
