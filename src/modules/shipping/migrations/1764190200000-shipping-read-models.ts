import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read models of shipping methods and tax rates. */
export class ShippingReadModels1764190200000 implements MigrationInterface {
  name = 'ShippingReadModels1764190200000';

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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE tax_rates_view`);
    await db.query(`DROP TABLE shipping_methods_view`);
  }
}
