import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CENTRAL_MIGRATIONS, hasRun } from '../../../database/module-migrations.js';

/**
 * The catalog's read model (catalog.projection.ts). It holds nothing the log does not: dropping and
 * rebuilding it loses no data. No foreign keys and few CHECKs on purpose: a constraint the projection's
 * rows could break would halt it on an event the write side already accepted.
 */
export class CatalogReadModel1764130100001 implements MigrationInterface {
  name = 'CatalogReadModel1764130100001';

  async up(db: QueryRunner): Promise<void> {
    // Created by the central migration on databases migrated before modules owned their tables.
    if (await hasRun(db, CENTRAL_MIGRATIONS.readModels)) return;
    // Trigram indexes make `ILIKE '%q%'` searches index scans. pg_trgm is a trusted extension
    // (PostgreSQL 13+): a database owner may create it without superuser rights.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(`
      CREATE TABLE products_view (
        id uuid PRIMARY KEY,
        sku text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        price_cents integer NOT NULL,
        -- bigint: repeated adjustments have no upper bound the write side enforces.
        stock_on_hand bigint NOT NULL,
        reserved bigint NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX products_view_sku_idx ON products_view (sku, id)`);
    await db.query(`CREATE INDEX products_view_sku_trgm_idx ON products_view USING gin (sku gin_trgm_ops)`);
    await db.query(`CREATE INDEX products_view_name_trgm_idx ON products_view USING gin (name gin_trgm_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE products_view`);
  }
}
