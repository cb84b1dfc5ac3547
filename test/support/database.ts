import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { ensureDatabase } from '../../src/database/embedded-postgres.js';
import { migrations } from '../../src/app.module.js';

/** A fresh, empty database on the run's PostgreSQL, for one test file. */
export async function createTestDatabase(): Promise<string> {
  return ensureDatabase(inject('postgresServerUrl'), `test_${randomBytes(6).toString('hex')}`);
}

/** A fresh database with every migration applied, and a pg pool on it. */
export async function createMigratedDatabase(): Promise<{ url: string; pool: pg.Pool; close: () => Promise<void> }> {
  const url = await createTestDatabase();
  const dataSource = new DataSource({ type: 'postgres', url, migrations });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  const pool = new pg.Pool({ connectionString: url, max: 60 });
  return { url, pool, close: () => pool.end() };
}
