import { Injectable } from '@nestjs/common';
import type { StoredEvent } from '../../event-store/event.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../projections/projection.js';
import { placedOrderPricing, type OrderCancelled, type OrderDelivered, type OrderPaid, type OrderPlaced, type OrderShipped } from './order.events.js';
import { applyOrderSummaryBatch } from './order-summary.batch.js';
import { ms, toOrderItems } from './order-summary.read-model.js';

/**
 * Builds `order_summaries`. Every change after the placement applies only if the event is newer than the
 * row's version, so applying an event twice changes nothing. `applyBatch` does the same for a whole batch:
 * it loads the orders the batch touches, folds the events in memory, and upserts what changed.
 */
@ProjectionProvider()
@Injectable()
export class OrderSummaryProjection implements Projection {
  readonly name = 'order-summary';
  readonly tables = ['order_summaries'];

  readonly handlers: Projection['handlers'] = {
    OrderPlaced: async (event, ctx) => {
      const data = event.data as OrderPlaced['data'];
      const { orderId, cartId, customerId, lines, totalCents, currency, shippingAddress, placedAt } = data;
      const items = toOrderItems(lines);
      await ctx.client.query(
        `INSERT INTO ${ctx.table('order_summaries')}
           (id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
            placed_at, updated_at, version, pricing)
         VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, ${ms('$9')}, ${ms('$9')}, $10, $11)
         ON CONFLICT (id) DO NOTHING`,
        [
          orderId,
          customerId,
          cartId,
          totalCents,
          currency,
          items.reduce((count, item) => count + item.quantity, 0),
          JSON.stringify(items),
          JSON.stringify(shippingAddress),
          placedAt,
          event.version,
          JSON.stringify(placedOrderPricing(data)),
        ],
      );
    },
    OrderPaid: async (event, ctx) => {
      const { orderId, paymentReference, paidAt } = event.data as OrderPaid['data'];
      await update(ctx, event, orderId, `status = 'paid', payment_reference = $3, paid_at = ${ms('$4')}, updated_at = ${ms('$4')}`, [
        paymentReference,
        paidAt,
      ]);
    },
    OrderShipped: async (event, ctx) => {
      const { orderId, carrier, trackingNumber, shippedAt } = event.data as OrderShipped['data'];
      await update(
        ctx,
        event,
        orderId,
        `status = 'shipped', carrier = $3, tracking_number = $4, shipped_at = ${ms('$5')}, updated_at = ${ms('$5')}`,
        [carrier, trackingNumber, shippedAt],
      );
    },
    OrderDelivered: async (event, ctx) => {
      const { orderId, deliveredAt } = event.data as OrderDelivered['data'];
      await update(ctx, event, orderId, `status = 'delivered', delivered_at = ${ms('$3')}, updated_at = ${ms('$3')}`, [deliveredAt]);
    },
    OrderCancelled: async (event, ctx) => {
      const { orderId, reason, cancelledAt } = event.data as OrderCancelled['data'];
      await update(ctx, event, orderId, `status = 'cancelled', cancel_reason = $3, cancelled_at = ${ms('$4')}, updated_at = ${ms('$4')}`, [
        reason,
        cancelledAt,
      ]);
    },
  };

  applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    return applyOrderSummaryBatch(events, ctx);
  }
}

/** Applies `set` (whose parameters start at $3) to the order's row if `event` is newer than the row. */
async function update(ctx: ProjectionContext, event: StoredEvent, orderId: string, set: string, params: unknown[]): Promise<void> {
  await ctx.client.query(`UPDATE ${ctx.table('order_summaries')} SET ${set}, version = $2 WHERE id = $1 AND version < $2`, [
    orderId,
    event.version,
    ...params,
  ]);
}
