import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A method's countries as a jsonb array instead of text[]: the shipping read models are declared with the
 * read-model kit, which writes rows set-based through `unnest`, and unnest flattens an array of arrays.
 */
export class ShippingCountriesJsonb1764500000000 implements MigrationInterface {
  name = 'ShippingCountriesJsonb1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE shipping_methods_view ALTER COLUMN countries TYPE jsonb USING to_jsonb(countries)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE shipping_methods_view ALTER COLUMN countries TYPE text[] USING ARRAY(SELECT jsonb_array_elements_text(countries))`);
  }
}
