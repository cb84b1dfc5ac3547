import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CENTRAL_MIGRATIONS, hasRun } from '../../../database/module-migrations.js';

/** Uniqueness the catalog's write side enforces in the same transaction as its append. */
export class CatalogSkus1764130050001 implements MigrationInterface {
  name = 'CatalogSkus1764130050001';

  async up(db: QueryRunner): Promise<void> {
    // Created by the central migration on databases migrated before modules owned their tables.
    if (await hasRun(db, CENTRAL_MIGRATIONS.writeSide)) return;
    // One row per SKU, claimed in the transaction that appends ProductCreated: two racing creates of one
    // SKU cannot both commit. Case-insensitive, so "ABC-1" and "abc-1" are the same SKU.
    await db.query(`
      CREATE TABLE product_skus (
        sku_key text PRIMARY KEY,
        product_id uuid NOT NULL UNIQUE
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE product_skus`);
  }
}
