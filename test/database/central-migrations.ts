import type { MigrationInterface, QueryRunner } from 'typeorm';

// The two central migrations of main before modules owned their tables, verbatim (git show
// 4fd3414:src/database/migrations/1764130050000-write-side.ts and ...-read-models.ts): the test migrates a
// database as that main did, then starts today's app on it.

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

/**
 * The read models the projections build from the log (src/modules/<module>/<read-model>.projection.ts).
 * They hold nothing the log does not: dropping and rebuilding any of them loses no data.
 *
 * No foreign keys and few CHECKs on purpose: a constraint a projection's rows could break would halt
 * that projection on an event the write side already accepted, and a rebuild swaps tables one by one.
 */
export class ReadModels1764130100000 implements MigrationInterface {
  name = 'ReadModels1764130100000';

  async up(db: QueryRunner): Promise<void> {
    // Trigram indexes make `ILIKE '%q%'` searches index scans. pg_trgm is a trusted extension
    // (PostgreSQL 13+): a database owner may create it without superuser rights.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    // catalog
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

    // carts
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

    // orders
    await db.query(`
      CREATE TABLE order_summaries (
        id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        cart_id uuid NOT NULL,
        status text NOT NULL,
        total_cents bigint NOT NULL,
        currency text NOT NULL,
        item_count integer NOT NULL,
        items jsonb NOT NULL,
        shipping_address jsonb NOT NULL,
        payment_reference text,
        carrier text,
        tracking_number text,
        cancel_reason text,
        -- Truncated to milliseconds, as clients see it, so a page cursor names a row exactly.
        placed_at timestamptz NOT NULL,
        paid_at timestamptz,
        shipped_at timestamptz,
        delivered_at timestamptz,
        cancelled_at timestamptz,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    // GET /orders pages newest first on the keyset (placed_at, id), within one of these prefixes.
    await db.query(`CREATE INDEX order_summaries_customer_idx ON order_summaries (customer_id, placed_at DESC, id DESC)`);
    await db.query(`CREATE INDEX order_summaries_placed_idx ON order_summaries (placed_at DESC, id DESC)`);
    await db.query(`CREATE INDEX order_summaries_status_idx ON order_summaries (status, placed_at DESC, id DESC)`);
    // Without it, a status filter on a customer with many orders walks all of them (EXPLAIN at 1M orders:
    // 170 ms for a 20k-order customer and a status it has none of; with it, a 0.1 ms index range scan).
    await db.query(`CREATE INDEX order_summaries_customer_status_idx ON order_summaries (customer_id, status, placed_at DESC, id DESC)`);

    // reports
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
    for (const table of [
      'sales_orders',
      'product_sales_daily',
      'sales_daily',
      'order_summaries',
      'cart_lines_view',
      'carts_view',
      'products_view',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
