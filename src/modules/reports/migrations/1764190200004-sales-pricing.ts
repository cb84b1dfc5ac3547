import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Discount, shipping and tax in the sales report (issue 13); revenue is now merchandise after discounts.
 * Rows written before hold zeros, which is what orders placed before pricing existed had: a rebuild
 * (`npm run projections:rebuild -- sales-report`) recomputes every row from the log either way.
 */
export class SalesPricing1764190200004 implements MigrationInterface {
  name = 'SalesPricing1764190200004';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['sales_orders', 'sales_daily']) {
      await db.query(`ALTER TABLE ${table}
        ADD COLUMN discount_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN shipping_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN tax_cents bigint NOT NULL DEFAULT 0`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['sales_orders', 'sales_daily']) {
      await db.query(`ALTER TABLE ${table} DROP COLUMN discount_cents, DROP COLUMN shipping_cents, DROP COLUMN tax_cents`);
    }
  }
}
