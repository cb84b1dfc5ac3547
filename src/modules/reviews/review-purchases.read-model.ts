import { readModel } from '../../projections/read-model.js';
import { jsonb, table, text, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { OrderPlaced } from '../orders/order.events.js';

/**
 * Which orders a customer placed holding which products: only how the write side finds the order streams
 * a review must read (review.decider.ts decides on the streams themselves, not on this table).
 */
export const reviewPurchases = table('review_purchases', ['orderId'], {
  orderId: uuid(),
  customerId: text(),
  productIds: jsonb<string[]>(),
});

export type ReviewPurchaseRow = TableRow<typeof reviewPurchases>;

export const reviewPurchaseIndex = readModel<OrderPlaced, ReviewPurchaseRow>({
  name: 'review-purchases',
  table: reviewPurchases,
  keys: { OrderPlaced: (event) => event.data.orderId },
  evolve: (_row, { data }) => ({ orderId: data.orderId, customerId: data.customerId, productIds: data.lines.map((line) => line.productId) }),
});
