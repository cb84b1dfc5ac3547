import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An order's pricing (subtotal, discount, shipping, tax) on its summary row. */
export class OrderPricing1764190200003 implements MigrationInterface {
  name = 'OrderPricing1764190200003';

  async up(db: QueryRunner): Promise<void> {
    // An order's pricing as GET /orders/:id shows it; null in rows written before (a rebuild fills them).
    await db.query(`ALTER TABLE order_summaries ADD COLUMN pricing jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE order_summaries DROP COLUMN pricing`);
  }
}
