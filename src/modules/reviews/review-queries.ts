import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ReadModelDb } from '../../database/read-model-db.js';
import { EventStore } from '../../event-store/event-store.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import { ProjectionLaggingError } from '../../projections/projection.errors.js';
import { ProjectionRunner } from '../../projections/projection-runner.js';
import { PRODUCTS_TABLE } from '../catalog/catalog.public.js';
import type { RatingDto, ReviewDto, ReviewPageDto } from './reviews.query.dto.js';

/** How long posting a review waits for review-purchases to reach the log's head (as X-Min-Position does). */
const CATCH_UP_MS = 5_000;

interface ReviewRow {
  id: string;
  rating: number;
  text: string;
  createdAt: Date;
  updatedAt: Date;
}

interface RatingRow {
  reviews: string;
  ratingSum: string;
  stars1: string;
  stars2: string;
  stars3: string;
  stars4: string;
  stars5: string;
}

const PRODUCT_EXISTS = { name: 'reviews.product-exists', text: `SELECT true AS exists FROM ${PRODUCTS_TABLE} WHERE id = $1` };
const RATING = {
  name: 'reviews.rating',
  text: `SELECT reviews, rating_sum AS "ratingSum", stars1, stars2, stars3, stars4, stars5 FROM product_ratings WHERE product_id = $1`,
};
const ORDERS_HOLDING = {
  name: 'reviews.orders-holding',
  text: `SELECT order_id AS "orderId" FROM review_purchases WHERE customer_id = $1 AND product_ids ? $2`,
};

/** The reviews' reads, and the one lookup their write side makes. */
@Injectable()
export class ReviewQueries {
  constructor(
    private readonly db: ReadModelDb,
    private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  /** Whether the catalog's read model has the product (null: answer 404). */
  async productExists(productId: string): Promise<boolean> {
    return isUUID(productId) && (await this.db.one(PRODUCT_EXISTS, [productId])) !== null;
  }

  /** A product's visible reviews, newest first (createdAt, then id), a page at a time. */
  async listReviews(productId: string, limit: number, cursor?: string): Promise<ReviewPageDto> {
    const values: unknown[] = [productId, limit + 1];
    let after = '';
    if (cursor !== undefined) {
      const [createdAt, id] = decodePageCursor(cursor, parseKeyset);
      values.push(createdAt, id);
      after = 'AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = await this.db.query<ReviewRow>(
      `SELECT id, rating, text, created_at AS "createdAt", updated_at AS "updatedAt" FROM reviews_view
       WHERE product_id = $1 AND NOT hidden ${after} ORDER BY created_at DESC, id DESC LIMIT $2`,
      values,
    );
    const items: ReviewDto[] = rows.slice(0, limit).map((row) => ({
      id: row.id,
      rating: row.rating,
      text: row.text,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodePageCursor([last.createdAt, last.id]) : null };
  }

  async rating(productId: string): Promise<RatingDto> {
    const row = await this.db.one<RatingRow>(RATING, [productId]);
    const count = Number(row?.reviews ?? 0);
    const stars = (n: string | undefined) => Number(n ?? 0);
    return {
      count,
      // One decimal, half up, in integers: 10 * sum / count rounded.
      average: count === 0 ? null : Math.floor((20 * Number(row?.ratingSum) + count) / (2 * count)) / 10,
      stars: { 1: stars(row?.stars1), 2: stars(row?.stars2), 3: stars(row?.stars3), 4: stars(row?.stars4), 5: stars(row?.stars5) },
    };
  }

  /**
   * The orders the customer placed holding the product, once review-purchases has applied every event
   * appended so far: an order delivered just before this request is found. Only finds the streams; the
   * decision reads them (review.decider.ts).
   */
  async ordersHolding(customerId: string, productId: string): Promise<string[]> {
    const head = await this.store.headPosition();
    if (!(await this.projections.waitForPosition(['review-purchases'], head, CATCH_UP_MS))) throw new ProjectionLaggingError(head);
    return (await this.db.query<{ orderId: string }>(ORDERS_HOLDING, [customerId, productId])).map((row) => row.orderId);
  }
}

function parseKeyset(keyset: unknown): [string, string] | undefined {
  if (!Array.isArray(keyset) || keyset.length !== 2) return undefined;
  const [createdAt, id] = keyset as unknown[];
  return typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && isUUID(id) ? [createdAt, id] : undefined;
}
