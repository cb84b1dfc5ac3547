import { unreachable } from '../../event-store/decider.js';
import type { StoredEvent } from '../../event-store/event.js';
import type { OrderStatus } from './order.decider.js';
import { placedOrderPricing, type OrderEvent, type PlacedOrderPricing, type ShippingAddress } from './order.events.js';

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
 * Folds an order's stored events into the API's Order, for time travel (`asOf`, `version`): the state
 * is rebuilt from the log itself, not from a read model. Null before the order was placed.
 */
export function orderFromHistory(events: readonly StoredEvent<OrderEvent>[]): OrderView | null {
  let order: OrderView | null = null;
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as OrderEvent;
    if (event.type === 'OrderPlaced') {
      const d = event.data;
      const items = d.lines.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents }));
      order = {
        id: d.orderId,
        customerId: d.customerId,
        status: 'placed',
        totalCents: d.totalCents,
        currency: d.currency,
        itemCount: items.reduce((n, l) => n + l.quantity, 0),
        placedAt: d.placedAt,
        updatedAt: d.placedAt,
        items,
        ...placedOrderPricing(d),
        shippingAddress: d.shippingAddress,
        version: stored.version,
      };
      continue;
    }
    if (!order) continue;
    order = { ...order, ...changes(event), version: stored.version };
  }
  return order;
}

function changes(event: Exclude<OrderEvent, { type: 'OrderPlaced' }>): Partial<OrderView> {
  switch (event.type) {
    case 'OrderPaid':
      return { status: 'paid', paymentReference: event.data.paymentReference, paidAt: event.data.paidAt, updatedAt: event.data.paidAt };
    case 'OrderShipped': {
      const { carrier, trackingNumber, shippedAt } = event.data;
      return { status: 'shipped', carrier, trackingNumber, shippedAt, updatedAt: shippedAt };
    }
    case 'OrderDelivered':
      return { status: 'delivered', deliveredAt: event.data.deliveredAt, updatedAt: event.data.deliveredAt };
    case 'OrderCancelled':
      return { status: 'cancelled', cancelledAt: event.data.cancelledAt, cancelReason: event.data.reason, updatedAt: event.data.cancelledAt };
    default:
      return unreachable(event);
  }
}
