import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../database/bigint-number.transformer.js';
import type { OrderStatus } from './order.decider.js';
import type { OrderLine, PlacedOrderPricing, ShippingAddress } from './order.events.js';
import type { OrderItem, OrderView } from './order.view.js';

export type { OrderItem, OrderView } from './order.view.js';

/** The list form of an order (`GET /orders`). */
export type OrderSummary = Pick<OrderView, 'id' | 'customerId' | 'status' | 'totalCents' | 'currency' | 'itemCount' | 'placedAt' | 'updatedAt'>;

/** One row per order: the summary columns GET /orders lists, and the rest of the order for GET /orders/:id. */
@Entity('order_summaries')
export class OrderSummaryRow {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text', { name: 'customer_id' })
  customerId: string;

  @Column('uuid', { name: 'cart_id' })
  cartId: string;

  @Column('text')
  status: Exclude<OrderStatus, 'none'>;

  @Column('bigint', { name: 'total_cents', transformer: bigintAsNumber })
  totalCents: number;

  @Column('text')
  currency: string;

  /** Sum of the lines' quantities. */
  @Column('integer', { name: 'item_count' })
  itemCount: number;

  @Column('jsonb')
  items: OrderItem[];

  @Column('jsonb', { name: 'shipping_address' })
  shippingAddress: ShippingAddress;

  @Column('text', { name: 'payment_reference', nullable: true })
  paymentReference: string | null;

  @Column('text', { nullable: true })
  carrier: string | null;

  @Column('text', { name: 'tracking_number', nullable: true })
  trackingNumber: string | null;

  @Column('text', { name: 'cancel_reason', nullable: true })
  cancelReason: string | null;

  @Column('timestamptz', { name: 'placed_at' })
  placedAt: Date;

  @Column('timestamptz', { name: 'paid_at', nullable: true })
  paidAt: Date | null;

  @Column('timestamptz', { name: 'shipped_at', nullable: true })
  shippedAt: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  /** The time of the order's last event (its own placedAt, paidAt, ...). */
  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  /** The order stream's version after the last applied event. */
  @Column('integer')
  version: number;

  /** What the order was priced with, as the API shows it; null in a row from before pricing existed. */
  @Column('jsonb', { nullable: true })
  pricing: PlacedOrderPricing | null;
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

/** Times are kept to the millisecond, as clients see them, so a cursor's placedAt names a row exactly. */
export const ms = (param: string) => `date_trunc('milliseconds', ${param}::timestamptz)`;
