import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { installSignalHandlers, onCleanup } from './cleanup.mjs';
import { freePort } from './ports.mjs';

/**
 * The bench's own embedded PostgreSQL (the server the service ships with, started the same way), in a
 * fresh folder under the system temp dir that is deleted at the end.
 */
export async function startBenchPostgres(root, { log, statStatements = false }) {
  const { startEmbeddedPostgres, ensureDatabase } = await import(pathToFileURL(path.join(root, 'dist/database/embedded-postgres.js')).href);
  const { migrations } = await import(pathToFileURL(path.join(root, 'dist/app.module.js')).href);
  const { DataSource } = await import('typeorm');

  const parent = mkdtempSync(path.join(os.tmpdir(), 'eventshop-bench-'));
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its folder.
  chmodSync(parent, 0o755);
  onCleanup(`remove ${parent}`, async () => rmSync(parent, { recursive: true, force: true }));
  const dir = path.join(parent, 'pgdata');
  const port = await freePort();

  let server = await startEmbeddedPostgres({ dir, port, log });
  let unregister = onCleanup('stop PostgreSQL', () => server.stop());
  installSignalHandlers();
  const serverUrl = server.serverUrl;

  // The projection-lag probe times a write's way into the read model by the commit times of the event's
  // and of the read model's transactions (pg_xact_commit_timestamp), not by when a client noticed it.
  // One more small write per commit, for every server under test alike. Read at server start only.
  await query(serverUrl, 'ALTER SYSTEM SET track_commit_timestamp = on');
  if (statStatements) {
    // Needs a restart: shared_preload_libraries is read at server start only.
    await query(serverUrl, `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await query(serverUrl, `ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
    // Planning is work done per statement too (on every run of an unnamed statement).
    await query(serverUrl, `ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
  }
  unregister();
  await server.stop();
  server = await startEmbeddedPostgres({ dir, port, log });
  unregister = onCleanup('stop PostgreSQL', () => server.stop());
  installSignalHandlers();

  const version = (await query(serverUrl, 'SHOW server_version')).rows[0].server_version;
  const settings = Object.fromEntries(
    (
      await query(
        serverUrl,
        `SELECT name, setting, unit FROM pg_settings
         WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'max_connections', 'work_mem', 'track_commit_timestamp')`,
      )
    ).rows.map((r) => [r.name, r.unit === '8kB' ? `${(Number(r.setting) * 8) / 1024} MB` : `${r.setting}${r.unit ?? ''}`]),
  );

  return {
    dir,
    serverUrl,
    version,
    settings,
    /** A new empty database; with `migrate`, the service's migrations applied (as the service would at start). */
    async createDatabase(name, { migrate = false } = {}) {
      const url = await ensureDatabase(serverUrl, name);
      if (migrate) {
        const dataSource = new DataSource({ type: 'postgres', url, migrations, logging: false });
        await dataSource.initialize();
        await dataSource.runMigrations();
        await dataSource.destroy();
      }
      return url;
    },
    async stop() {
      unregister();
      await server.stop();
    },
  };
}

export async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export function openPool(url, max = 10) {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'eventshop-bench' });
  // An idle client's error (the server going away during cleanup) must not crash the bench.
  pool.on('error', () => {});
  return pool;
}
