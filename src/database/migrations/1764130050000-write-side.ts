import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Uniqueness the write side must enforce in the same transaction as its append. */
export class WriteSide1764130050000 implements MigrationInterface {
  name = 'WriteSide1764130050000';

  async up(db: QueryRunner): Promise<void> {
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
