import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The carts' discounts (cart-discounts read model). */
export class CartDiscountsReadModel1764190200002 implements MigrationInterface {
  name = 'CartDiscountsReadModel1764190200002';

  async up(db: QueryRunner): Promise<void> {
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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE cart_discounts_view`);
  }
}
