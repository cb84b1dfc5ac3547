import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CENTRAL_MIGRATIONS, hasRun } from '../../../database/module-migrations.js';

/**
 * The carts' read model (carts.projection.ts). It holds nothing the log does not: dropping and rebuilding
 * it loses no data. No foreign keys on purpose: a rebuild swaps its tables one by one.
 */
export class CartsReadModel1764130100002 implements MigrationInterface {
  name = 'CartsReadModel1764130100002';

  async up(db: QueryRunner): Promise<void> {
    // Created by the central migration on databases migrated before modules owned their tables.
    if (await hasRun(db, CENTRAL_MIGRATIONS.readModels)) return;
    await db.query(`
      CREATE TABLE carts_view (
        id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        status text NOT NULL,
        order_id uuid,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE cart_lines_view (
        cart_id uuid NOT NULL,
        product_id uuid NOT NULL,
        quantity integer NOT NULL,
        -- The stream version of the event that first added the line: lines keep the order they were added in.
        line_no integer NOT NULL,
        -- Frozen by checkout (OrderPlaced); null while the cart is open, which shows current catalog prices.
        sku text,
        name text,
        unit_price_cents integer,
        PRIMARY KEY (cart_id, product_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE cart_lines_view`);
    await db.query(`DROP TABLE carts_view`);
  }
}
