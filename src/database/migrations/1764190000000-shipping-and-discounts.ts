import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read models of shipping methods, tax rates and discount codes (issue 13). */
export class ShippingAndDiscounts1764190000000 implements MigrationInterface {
  name = 'ShippingAndDiscounts1764190000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE shipping_methods_view (
        id uuid PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        price_cents integer NOT NULL,
        free_over_cents integer,
        countries text[] NOT NULL,
        active boolean NOT NULL,
        -- The shipping-methods stream's version after the last event that changed this row.
        version integer NOT NULL
      )`);
    await db.query(`
      CREATE TABLE tax_rates_view (
        country text PRIMARY KEY,
        rate_basis_points integer NOT NULL,
        version integer NOT NULL
      )`);
    await db.query(`
      CREATE TABLE discount_codes_view (
        id uuid PRIMARY KEY,
        code text NOT NULL,
        -- lower(code): the list's order and keyset.
        code_key text NOT NULL,
        kind text NOT NULL,
        value integer NOT NULL,
        min_subtotal_cents bigint,
        starts_at timestamptz,
        ends_at timestamptz,
        max_redemptions integer,
        max_per_customer integer NOT NULL,
        active boolean NOT NULL,
        -- Redemptions not given back (cancelled orders give theirs back).
        redemptions integer NOT NULL,
        -- The code stream's version after the last of its own events applied.
        version integer NOT NULL
      )`);
    await db.query(`CREATE UNIQUE INDEX discount_codes_view_key_idx ON discount_codes_view (code_key, id)`);
    await db.query(`
      CREATE TABLE cart_discounts_view (
        cart_id uuid PRIMARY KEY,
        -- The code the cart holds (null once taken off).
        code_id uuid,
        code text,
        -- Once checked out with a code: the discount its order was placed with.
        ordered_discount_cents bigint,
        -- The cart stream's version after the last of its discount events.
        version integer NOT NULL
      )`);
    // An order's pricing as GET /orders/:id shows it; null in rows written before (a rebuild fills them).
    await db.query(`ALTER TABLE order_summaries ADD COLUMN pricing jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE order_summaries DROP COLUMN pricing`);
    await db.query(`DROP TABLE cart_discounts_view`);
    await db.query(`DROP TABLE discount_codes_view`);
    await db.query(`DROP TABLE tax_rates_view`);
    await db.query(`DROP TABLE shipping_methods_view`);
  }
}
