import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reviews' read models (reviews.projection.ts): nothing the log does not hold. */
export class Reviews1764220000000 implements MigrationInterface {
  name = 'Reviews1764220000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reviews_view (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL,
        rating integer NOT NULL,
        text text NOT NULL,
        hidden boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // A product's visible reviews, newest first, on the keyset (created_at, id).
    await db.query(`CREATE INDEX reviews_view_product_idx ON reviews_view (product_id, created_at DESC, id DESC) WHERE NOT hidden`);
    await db.query(`
      CREATE TABLE product_ratings (
        product_id uuid PRIMARY KEY,
        reviews bigint NOT NULL,
        rating_sum bigint NOT NULL,
        stars1 bigint NOT NULL,
        stars2 bigint NOT NULL,
        stars3 bigint NOT NULL,
        stars4 bigint NOT NULL,
        stars5 bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE review_purchases (
        order_id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        product_ids jsonb NOT NULL
      )`);
    await db.query(`CREATE INDEX review_purchases_customer_idx ON review_purchases (customer_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE review_purchases`);
    await db.query(`DROP TABLE product_ratings`);
    await db.query(`DROP TABLE reviews_view`);
  }
}
