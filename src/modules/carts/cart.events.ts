import type { NewEvent } from '../../event-store/event.js';

/**
 * Stream type of a cart's events. Cart events hold no prices: an open cart shows the catalog's current
 * prices, and checkout freezes them into the order.
 */
export const CART_STREAM = 'cart';

export type CartCreated = NewEvent<'CartCreated', { cartId: string; customerId: string }>;

/** `quantity` is how many were added, merged into the line if the product is already in the cart. */
export type CartItemAdded = NewEvent<'CartItemAdded', { cartId: string; productId: string; quantity: number }>;

/** `quantity` is the line's new quantity (at least 1; a line going to 0 is CartItemRemoved). */
export type CartItemQuantityChanged = NewEvent<'CartItemQuantityChanged', { cartId: string; productId: string; quantity: number }>;

export type CartItemRemoved = NewEvent<'CartItemRemoved', { cartId: string; productId: string }>;

export type CartCheckedOut = NewEvent<'CartCheckedOut', { cartId: string; orderId: string }>;

/** The cart holds this discount code (replacing any other: a cart holds at most one). `code` as created. */
export type CartDiscountApplied = NewEvent<'CartDiscountApplied', { cartId: string; codeId: string; code: string }>;

export type CartDiscountRemoved = NewEvent<'CartDiscountRemoved', { cartId: string }>;

export type CartEvent = CartCreated | CartItemAdded | CartItemQuantityChanged | CartItemRemoved | CartCheckedOut | CartDiscountApplied | CartDiscountRemoved;
