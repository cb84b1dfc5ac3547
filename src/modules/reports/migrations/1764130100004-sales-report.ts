import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CENTRAL_MIGRATIONS, hasRun } from '../../../database/module-migrations.js';

/**
 * The sales report's read model (sales-report.projection.ts). It holds nothing the log does not: dropping
 * and rebuilding it loses no data.
 */
export class SalesReport1764130100004 implements MigrationInterface {
  name = 'SalesReport1764130100004';

  async up(db: QueryRunner): Promise<void> {
    // Created by the central migration on databases migrated before modules owned their tables.
    if (await hasRun(db, CENTRAL_MIGRATIONS.readModels)) return;
    await db.query(`
      CREATE TABLE sales_daily (
        date date PRIMARY KEY,
        orders integer NOT NULL,
        items_sold bigint NOT NULL,
        revenue_cents bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE product_sales_daily (
        date date NOT NULL,
        product_id uuid NOT NULL,
        sku text NOT NULL,
        name text NOT NULL,
        items_sold bigint NOT NULL,
        revenue_cents bigint NOT NULL,
        PRIMARY KEY (date, product_id)
      )`);
    // Top products sums a date range by hash, then looks up only the winners' latest SKU and name here.
    await db.query(`CREATE INDEX product_sales_daily_product_idx ON product_sales_daily (product_id, date)`);
    // What each placed order added to the report, so that cancelling it takes exactly that back out.
    await db.query(`
      CREATE TABLE sales_orders (
        order_id uuid PRIMARY KEY,
        placed_date date NOT NULL,
        items_sold integer NOT NULL,
        revenue_cents bigint NOT NULL,
        -- Per product: [{productId, sku, name, quantity, revenueCents}].
        lines jsonb NOT NULL,
        cancelled boolean NOT NULL DEFAULT false
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['sales_orders', 'product_sales_daily', 'sales_daily']) await db.query(`DROP TABLE ${table}`);
  }
}
