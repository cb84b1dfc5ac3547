import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read model of discount codes. */
export class DiscountCodesReadModel1764190200001 implements MigrationInterface {
  name = 'DiscountCodesReadModel1764190200001';

  async up(db: QueryRunner): Promise<void> {
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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE discount_codes_view`);
  }
}
