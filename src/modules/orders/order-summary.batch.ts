import type { StoredEvent } from '../../event-store/event.js';
import { int4Value, int8Value, jsonValue, textValue, timestampValue, UnexpectedValueError, uuidValue } from '../../projections/batch-values.js';
import type { ProjectionContext } from '../../projections/projection.js';
import type { OrderStatus } from './order.decider.js';
import { placedOrderPricing, type OrderCancelled, type OrderDelivered, type OrderPaid, type OrderPlaced, type OrderShipped } from './order.events.js';
import { ms, toOrderItems } from './order-summary.read-model.js';

/**
 * The order-summary projection's set-based path: loads the orders a batch touches, folds the events in
 * memory by the handlers' rules, and upserts what changed in one statement.
 */
export async function applyOrderSummaryBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
  const orders = await loadOrders(ctx, new Set(events.map((event) => uuidValue((event.data as { orderId: unknown }).orderId))));
  const changed = new Set<SummaryRow>();
  for (const event of events) {
    const row = foldOrderEvent(orders, event);
    if (row) changed.add(row);
  }
  writeOrders(ctx, [...changed]);
}

/**
 * An order_summaries row as a batch folds it. Times are as loaded (Dates) or as the events hold them
 * (strings), truncated to milliseconds when written, as the handlers do.
 */
interface SummaryRow {
  id: string;
  customer_id: string;
  cart_id: string;
  status: Exclude<OrderStatus, 'none'>;
  total_cents: string | number;
  currency: string;
  item_count: number;
  items: unknown;
  shipping_address: unknown;
  payment_reference: string | null;
  carrier: string | null;
  tracking_number: string | null;
  cancel_reason: string | null;
  placed_at: Date | string;
  paid_at: Date | string | null;
  shipped_at: Date | string | null;
  delivered_at: Date | string | null;
  cancelled_at: Date | string | null;
  updated_at: Date | string;
  version: number;
  /** The order's pricing as the API shows it (null in a row written before pricing existed). */
  pricing: unknown;
}

const SUMMARY_ROW_COLUMNS = `id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
  payment_reference, carrier, tracking_number, cancel_reason, placed_at, paid_at, shipped_at, delivered_at, cancelled_at, updated_at, version, pricing`;

/** The rows of `ids` (lower case), as they stand in this transaction; a missing order maps to undefined. */
async function loadOrders(ctx: ProjectionContext, ids: ReadonlySet<string>): Promise<Map<string, SummaryRow | undefined>> {
  const orders = new Map<string, SummaryRow | undefined>([...ids].map((id) => [id, undefined]));
  const { rows } = await ctx.client.query<SummaryRow>(`SELECT ${SUMMARY_ROW_COLUMNS} FROM ${ctx.table('order_summaries')} WHERE id = ANY($1::uuid[])`, [
    [...ids],
  ]);
  for (const row of rows) orders.set(row.id, row);
  return orders;
}

/**
 * One event, by the handlers' rules (every value they would send is checked, whether or not it changes
 * anything): the row it created or moved, or undefined if it changed nothing.
 */
function foldOrderEvent(orders: Map<string, SummaryRow | undefined>, event: StoredEvent): SummaryRow | undefined {
  const id = uuidValue((event.data as { orderId: unknown }).orderId);
  const version = int4Value(event.version);
  const current = orders.get(id);
  if (event.type === 'OrderPlaced') {
    const data = event.data as OrderPlaced['data'];
    const { customerId, cartId, lines, totalCents, currency, shippingAddress, placedAt } = data;
    if (!Array.isArray(lines)) throw new UnexpectedValueError('order lines', lines);
    if (typeof shippingAddress !== 'object' || shippingAddress === null) throw new UnexpectedValueError('a shipping address', shippingAddress);
    const items = jsonValue(toOrderItems(lines));
    const placed: SummaryRow = {
      id,
      customer_id: textValue(customerId),
      cart_id: uuidValue(cartId),
      status: 'placed',
      total_cents: Number(int8Value(totalCents)),
      currency: textValue(currency),
      item_count: int4Value(items.reduce((count, item) => count + int4Value(item.quantity), 0)),
      items,
      shipping_address: jsonValue(shippingAddress),
      payment_reference: null,
      carrier: null,
      tracking_number: null,
      cancel_reason: null,
      placed_at: timestampValue(placedAt),
      paid_at: null,
      shipped_at: null,
      delivered_at: null,
      cancelled_at: null,
      updated_at: placedAt,
      version,
      pricing: jsonValue(placedOrderPricing(data)),
    };
    if (current) return undefined;
    orders.set(id, placed);
    return placed;
  }
  const change = orderChange(event);
  if (!current || current.version >= version) return undefined;
  Object.assign(current, change, { version });
  return current;
}

/** The columns an event after the placement sets, its values checked now. */
function orderChange(event: StoredEvent): Partial<SummaryRow> {
  switch (event.type) {
    case 'OrderPaid': {
      const { paymentReference, paidAt } = event.data as OrderPaid['data'];
      const at = timestampValue(paidAt);
      return { status: 'paid', payment_reference: textValue(paymentReference), paid_at: at, updated_at: at };
    }
    case 'OrderShipped': {
      const { carrier, trackingNumber, shippedAt } = event.data as OrderShipped['data'];
      const at = timestampValue(shippedAt);
      return { status: 'shipped', carrier: textValue(carrier), tracking_number: textValue(trackingNumber), shipped_at: at, updated_at: at };
    }
    case 'OrderDelivered': {
      const at = timestampValue((event.data as OrderDelivered['data']).deliveredAt);
      return { status: 'delivered', delivered_at: at, updated_at: at };
    }
    case 'OrderCancelled': {
      const { reason, cancelledAt } = event.data as OrderCancelled['data'];
      const at = timestampValue(cancelledAt);
      return { status: 'cancelled', cancel_reason: textValue(reason), cancelled_at: at, updated_at: at };
    }
    default:
      throw new Error(`the order-summary projection has no rule for ${event.type}`);
  }
}

/**
 * Upserts the changed rows. A placement's columns never change afterwards, so a conflict updates only the
 * columns later events set.
 */
function writeOrders(ctx: ProjectionContext, rows: readonly SummaryRow[]): void {
  if (rows.length === 0) return;
  ctx.defer(
    `INSERT INTO ${ctx.table('order_summaries')} (${SUMMARY_ROW_COLUMNS})
     SELECT id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
            payment_reference, carrier, tracking_number, cancel_reason, ${ms('placed_at')}, ${ms('paid_at')}, ${ms('shipped_at')},
            ${ms('delivered_at')}, ${ms('cancelled_at')}, ${ms('updated_at')}, version, pricing
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, customer_id text, cart_id uuid, status text, total_cents bigint, currency text,
       item_count integer, items jsonb, shipping_address jsonb, payment_reference text, carrier text, tracking_number text,
       cancel_reason text, placed_at timestamptz, paid_at timestamptz, shipped_at timestamptz, delivered_at timestamptz,
       cancelled_at timestamptz, updated_at timestamptz, version integer, pricing jsonb)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, payment_reference = EXCLUDED.payment_reference,
       carrier = EXCLUDED.carrier, tracking_number = EXCLUDED.tracking_number, cancel_reason = EXCLUDED.cancel_reason,
       paid_at = EXCLUDED.paid_at, shipped_at = EXCLUDED.shipped_at, delivered_at = EXCLUDED.delivered_at,
       cancelled_at = EXCLUDED.cancelled_at, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}
