import type { StoredEvent } from '../../event-store/event.js';
import { foldReadModel } from '../../projections/read-model.js';
import type { OrderStatus } from './order.decider.js';
import type { OrderEvent, PlacedOrderPricing, ShippingAddress } from './order.events.js';
import { orderSummary, toOrderItems, type OrderRow } from './order-summary.read-model.js';

export interface OrderItem {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** The API's `Order` (shared/spec/api.md): optional fields are absent until their event happened. */
export interface OrderView extends PlacedOrderPricing {
  id: string;
  customerId: string;
  status: Exclude<OrderStatus, 'none'>;
  totalCents: number;
  currency: string;
  itemCount: number;
  placedAt: string;
  updatedAt: string;
  items: OrderItem[];
  shippingAddress: ShippingAddress;
  paymentReference?: string;
  carrier?: string;
  trackingNumber?: string;
  paidAt?: string;
  shippedAt?: string;
  deliveredAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  version: number;
}

/**
 * The order as of its stored events, for time travel (`asOf`, `version`): the order-summary read model's
 * own evolve folded over the log itself, not read from its table. Null before the order was placed.
 */
export function orderFromHistory(events: readonly StoredEvent<OrderEvent>[]): OrderView | null {
  const row = foldReadModel(orderSummary, events);
  return row && orderView(row);
}

/** A row of the order-summary read model as the API's Order: optional fields only once their event happened. */
export function orderView(row: OrderRow): OrderView {
  const { name, line1, line2, city, postalCode, country } = row.shippingAddress;
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    totalCents: Number(row.totalCents),
    currency: row.currency,
    itemCount: row.itemCount,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    items: toOrderItems(row.items),
    // A row written before pricing existed (a rebuild fills it): its total was its subtotal.
    ...(row.pricing ?? { subtotalCents: Number(row.totalCents), discountCents: 0, shippingCents: 0, taxCents: 0, taxRateBasisPoints: 0 }),
    shippingAddress: { name, line1, ...(line2 !== undefined && { line2 }), city, postalCode, country },
    ...(row.paymentReference !== null && { paymentReference: row.paymentReference }),
    ...(row.carrier !== null && { carrier: row.carrier }),
    ...(row.trackingNumber !== null && { trackingNumber: row.trackingNumber }),
    ...(row.paidAt !== null && { paidAt: row.paidAt }),
    ...(row.shippedAt !== null && { shippedAt: row.shippedAt }),
    ...(row.deliveredAt !== null && { deliveredAt: row.deliveredAt }),
    ...(row.cancelledAt !== null && { cancelledAt: row.cancelledAt }),
    ...(row.cancelReason !== null && { cancelReason: row.cancelReason }),
    version: row.version,
  };
}
