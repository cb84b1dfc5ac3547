import type { NewEvent } from '../../event-store/event.js';

/** Stream type of an order's events. The orders module's public contract. */
export const ORDER_STREAM = 'order';

/** A line as the order was placed: name, SKU and price are frozen at checkout, whatever the catalog does later. */
export interface OrderLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface ShippingAddress {
  readonly name: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
}

/**
 * `totalCents` is the amount the customer agreed to pay: subtotal - discount + shipping + tax (the
 * contract's formulas, computed once at checkout). The order records what it was priced with (the
 * code, the method, the rate) so later changes to them never alter it.
 *
 * The pricing fields came with issue 13; an OrderPlaced written before has none of them, and means:
 * subtotal = totalCents (the sum of its lines), no discount, no shipping method, shipping 0, tax rate 0
 * and tax 0. `placedOrderPricing` reads either shape.
 */
export type OrderPlaced = NewEvent<
  'OrderPlaced',
  {
    orderId: string;
    cartId: string;
    customerId: string;
    lines: readonly OrderLine[];
    totalCents: number;
    currency: string;
    shippingAddress: ShippingAddress;
    placedAt: string;
    subtotalCents?: number;
    discountCents?: number;
    /** The code as created, and the stream its redemption went to (given back there on cancel). */
    discountCode?: { id: string; code: string; redemptionStreamId: string };
    shippingMethod?: { id: string; code: string; name: string };
    shippingCents?: number;
    taxRateBasisPoints?: number;
    taxCents?: number;
  }
>;

/** An order's pricing as the API shows it (`Order`'s fields besides its total). */
export interface PlacedOrderPricing {
  subtotalCents: number;
  discountCents: number;
  discountCode?: string;
  shippingCents: number;
  shippingMethod?: { id: string; code: string; name: string };
  taxCents: number;
  taxRateBasisPoints: number;
}

/** An OrderPlaced's pricing, with the defaults above for one written before the pricing fields. */
export function placedOrderPricing(data: OrderPlaced['data']): PlacedOrderPricing {
  const method = data.shippingMethod;
  return {
    subtotalCents: data.subtotalCents ?? data.totalCents,
    discountCents: data.discountCents ?? 0,
    ...(data.discountCode && { discountCode: data.discountCode.code }),
    shippingCents: data.shippingCents ?? 0,
    ...(method && { shippingMethod: { id: method.id, code: method.code, name: method.name } }),
    taxCents: data.taxCents ?? 0,
    taxRateBasisPoints: data.taxRateBasisPoints ?? 0,
  };
}

export type OrderPaid = NewEvent<'OrderPaid', { orderId: string; amountCents: number; paymentReference: string; paidAt: string }>;

export type OrderShipped = NewEvent<'OrderShipped', { orderId: string; carrier: string; trackingNumber: string; shippedAt: string }>;

export type OrderDelivered = NewEvent<'OrderDelivered', { orderId: string; deliveredAt: string }>;

export type OrderCancelled = NewEvent<'OrderCancelled', { orderId: string; reason: string; cancelledAt: string }>;

export type OrderEvent = OrderPlaced | OrderPaid | OrderShipped | OrderDelivered | OrderCancelled;

/**
 * Sum of quantity x unit price, in minor units. Exact in a JS number: carts bound a line to 1000 items
 * and 100 lines, and prices to 10^8 cents, so a total stays below 10^13, far under 2^53.
 */
export function orderTotal(lines: readonly Pick<OrderLine, 'quantity' | 'unitPriceCents'>[]): number {
  return lines.reduce((total, line) => total + line.quantity * line.unitPriceCents, 0);
}
