import type { NewEvent } from '../../event-store/event.js';

/** Stream type of a product's events. The catalog's public contract: other modules import only this file. */
export const PRODUCT_STREAM = 'product';

export type ProductCreated = NewEvent<
  'ProductCreated',
  { productId: string; sku: string; name: string; description: string; priceCents: number; stock: number }
>;

/** Holds only the fields that changed. */
export type ProductUpdated = NewEvent<'ProductUpdated', { productId: string; name?: string; description?: string; priceCents?: number }>;

/** An admin's correction of the stock on hand (a delivery, a count, a write-off). */
export type StockAdjusted = NewEvent<'StockAdjusted', { productId: string; delta: number }>;

/** Checkout set `quantity` aside for an open order: still on hand, no longer available. */
export type StockReserved = NewEvent<'StockReserved', { productId: string; orderId: string; quantity: number }>;

/** A cancelled order gave its reservation back. */
export type StockReleased = NewEvent<'StockReleased', { productId: string; orderId: string; quantity: number }>;

/** A shipped order took its items off the shelf: on hand and reserved both go down by `quantity`. */
export type StockShipped = NewEvent<'StockShipped', { productId: string; orderId: string; quantity: number }>;

export type ProductEvent = ProductCreated | ProductUpdated | StockAdjusted | StockReserved | StockReleased | StockShipped;
