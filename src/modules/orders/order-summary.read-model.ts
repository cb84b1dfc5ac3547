import { unreachable } from '../../event-store/decider.js';
import type { StoredEventOf } from '../../event-store/event.js';
import { readModel } from '../../projections/read-model.js';
import { int4, int8, jsonb, nullable, table, text, timestamp, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { OrderStatus } from './order.decider.js';
import { placedOrderPricing, type OrderEvent, type OrderLine, type OrderPlaced, type PlacedOrderPricing, type ShippingAddress } from './order.events.js';
import type { OrderItem, OrderView } from './order.view.js';

export type { OrderItem, OrderView } from './order.view.js';

/** The list form of an order (`GET /orders`). */
export type OrderSummary = Pick<OrderView, 'id' | 'customerId' | 'status' | 'totalCents' | 'currency' | 'itemCount' | 'placedAt' | 'updatedAt'>;

/** One row per order: the summary columns GET /orders lists, and the rest of the order for GET /orders/:id. */
export const orderSummaries = table('order_summaries', ['id'], {
  id: uuid(),
  customerId: text(),
  cartId: uuid(),
  status: text<Exclude<OrderStatus, 'none'>>(),
  totalCents: int8(),
  currency: text(),
  /** Sum of the lines' quantities. */
  itemCount: int4(),
  items: jsonb<OrderItem[]>(),
  shippingAddress: jsonb<ShippingAddress>(),
  paymentReference: nullable(text()),
  carrier: nullable(text()),
  trackingNumber: nullable(text()),
  cancelReason: nullable(text()),
  placedAt: timestamp(),
  paidAt: nullable(timestamp()),
  shippedAt: nullable(timestamp()),
  deliveredAt: nullable(timestamp()),
  cancelledAt: nullable(timestamp()),
  /** The time of the order's last event (its own placedAt, paidAt, ...). */
  updatedAt: timestamp(),
  /** The order stream's version after its last event. */
  version: int4(),
  /** What the order was priced with (subtotal, discount, shipping, tax); null only in rows written before it existed. */
  pricing: nullable(jsonb<PlacedOrderPricing>()),
});

export type OrderRow = TableRow<typeof orderSummaries>;

const byOrder = (event: { data: { orderId: string } }) => event.data.orderId;

/** The order's read-side rules, once: the projection builds order_summaries with them, time travel folds them. */
export const orderSummary = readModel<OrderEvent, OrderRow>({
  name: 'order-summary',
  table: orderSummaries,
  keys: { OrderPlaced: byOrder, OrderPaid: byOrder, OrderShipped: byOrder, OrderDelivered: byOrder, OrderCancelled: byOrder },
  evolve(row, event) {
    if (event.type === 'OrderPlaced') return placed(event);
    if (!row) return null;
    const version = event.version;
    switch (event.type) {
      case 'OrderPaid': {
        const { paymentReference, paidAt } = event.data;
        return { ...row, status: 'paid', paymentReference, paidAt, updatedAt: paidAt, version };
      }
      case 'OrderShipped': {
        const { carrier, trackingNumber, shippedAt } = event.data;
        return { ...row, status: 'shipped', carrier, trackingNumber, shippedAt, updatedAt: shippedAt, version };
      }
      case 'OrderDelivered':
        return { ...row, status: 'delivered', deliveredAt: event.data.deliveredAt, updatedAt: event.data.deliveredAt, version };
      case 'OrderCancelled': {
        const { reason, cancelledAt } = event.data;
        return { ...row, status: 'cancelled', cancelReason: reason, cancelledAt, updatedAt: cancelledAt, version };
      }
      default:
        return unreachable(event);
    }
  },
});

function placed({ data, version }: StoredEventOf<OrderPlaced>): OrderRow {
  const items = toOrderItems(data.lines);
  return {
    id: data.orderId,
    customerId: data.customerId,
    cartId: data.cartId,
    status: 'placed',
    totalCents: BigInt(data.totalCents),
    currency: data.currency,
    itemCount: items.reduce((count, item) => count + item.quantity, 0),
    items,
    shippingAddress: data.shippingAddress,
    paymentReference: null,
    carrier: null,
    trackingNumber: null,
    cancelReason: null,
    placedAt: data.placedAt,
    paidAt: null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    updatedAt: data.placedAt,
    version,
    pricing: placedOrderPricing(data),
  };
}

/** An order line as the API shows it. */
export function toOrderItems(lines: readonly OrderLine[]): OrderItem[] {
  return lines.map(({ productId, sku, name, quantity, unitPriceCents }) => ({
    productId,
    sku,
    name,
    quantity,
    unitPriceCents,
    lineTotalCents: quantity * unitPriceCents,
  }));
}
