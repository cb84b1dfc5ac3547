import pg from 'pg';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/app.module.js';
import { migrations as kernelMigrations } from '../../src/database/migrations/index.js';
import type { MigrationClass } from '../../src/database/module-migrations.js';
import { startTestApp } from '../support/app.js';
import { createMigratedDatabase, createTestDatabase } from '../support/database.js';
import { ReadModels1764130100000, WriteSide1764130050000 } from './central-migrations.js';

/** main's list before modules owned their tables: the kernel's migrations of then, and the two central ones. */
const centralMigrations: MigrationClass[] = [
  ...kernelMigrations.filter((migration) => Number(migration.name.slice(-13)) <= 1764180000000),
  WriteSide1764130050000,
  ReadModels1764130100000,
];

async function migrate(url: string, list: MigrationClass[]): Promise<void> {
  const dataSource = new DataSource({ type: 'postgres', url, migrations: list });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Each table's identity: a table dropped and created again gets a new oid. */
async function tableOids(url: string): Promise<Record<string, number>> {
  const rows = await query<{ name: string; oid: number }>(url, `SELECT relname AS name, oid::int AS oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`);
  return Object.fromEntries(rows.map((row) => [row.name, row.oid]));
}

/** What the migrations built, in words that do not depend on when: columns, indexes, constraints, functions, triggers, extensions. */
async function schemaOf(url: string): Promise<unknown> {
  return {
    columns: await query(url, `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`),
    indexes: await query(url, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    constraints: await query(url, `SELECT conrelid::regclass::text AS on, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`),
    functions: await query(url, `SELECT proname, pg_get_function_identity_arguments(oid) AS args, md5(prosrc) AS body FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1, 2`),
    triggers: await query(url, `SELECT tgrelid::regclass::text AS on, tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`),
    extensions: await query(url, `SELECT extname FROM pg_extension ORDER BY 1`),
  };
}

describe("modules' own migrations", () => {
  it('start on a database migrated by the central migrations: nothing recreated, each recorded as run, the schema a fresh database gets', async () => {
    const url = await createTestDatabase();
    await migrate(url, centralMigrations);
    // A SKU claimed before the upgrade.
    await query(url, `INSERT INTO product_skus (sku_key, product_id) VALUES ('old-1', gen_random_uuid())`);
    const before = await tableOids(url);

    const app = await startTestApp({ DATABASE_URL: url });
    try {
      await app.http().get('/health/ready').expect(200);
      const admin = app.token('root', ['admin']);
      const product = { name: 'Mug', priceCents: 500, stock: 3 };
      const { body } = await app.http().post('/products').set('Authorization', admin).send({ ...product, sku: 'OLD-1' }).expect(409);
      expect(body.code).toBe('SKU_TAKEN');
      const created = await app.http().post('/products').set('Authorization', admin).send({ ...product, sku: 'NEW-1' }).expect(201);
      const read = await app.http().get(`/products/${created.body.id}`).set('X-Min-Position', created.body.position).expect(200);
      expect(read.body).toMatchObject({ sku: 'NEW-1', stockAvailable: 3 });
    } finally {
      await app.close();
    }

    expect(await tableOids(url)).toMatchObject(before);
    const recorded = (await query<{ name: string }>(url, 'SELECT name FROM migrations')).map((row) => row.name);
    expect(recorded).toEqual(expect.arrayContaining(migrations.map((migration) => migration.name)));

    const fresh = await createMigratedDatabase();
    await fresh.close();
    expect(await schemaOf(url)).toEqual(await schemaOf(fresh.url));
  });

  it("give a fresh database every table the central migrations created, and the same schema", async () => {
    const central = await createTestDatabase();
    await migrate(central, centralMigrations);
    const fresh = await createTestDatabase();
    await migrate(fresh, migrations.filter((migration) => Number(migration.name.slice(-13)) <= 1764180000000));
    expect(await schemaOf(fresh)).toEqual(await schemaOf(central));
  });

  it('are ordered by timestamp among the kernel ones, and named once', () => {
    const timestamps = migrations.map((migration) => Number(migration.name.slice(-13)));
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(migrations.map((migration) => migration.name)).size).toBe(migrations.length);
  });
});
