import { Inject, Injectable } from '@nestjs/common';
import { isISO8601, isUUID } from 'class-validator';
import type pg from 'pg';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { PG_POOL } from '../../database/database.tokens.js';
import { bigintAsNumber } from '../../database/bigint-number.transformer.js';
import type { StoredEvent } from '../../event-store/event.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import { int4Value, int8Value, jsonValue, textValue, timestampValue, UnexpectedValueError, uuidValue } from '../../projections/batch-values.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../projections/projection.js';
import type { OrderStatus } from './order.decider.js';
import type { OrderCancelled, OrderDelivered, OrderLine, OrderPaid, OrderPlaced, OrderShipped, ShippingAddress } from './order.events.js';
import type { OrderItem, OrderView } from './order.view.js';

export type { OrderItem, OrderView } from './order.view.js';

/** The list form of an order (`GET /orders`). */
export type OrderSummary = Pick<OrderView, 'id' | 'customerId' | 'status' | 'totalCents' | 'currency' | 'itemCount' | 'placedAt' | 'updatedAt'>;

export interface OrderPage {
  items: OrderSummary[];
  nextCursor: string | null;
}

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
const ms = (param: string) => `date_trunc('milliseconds', ${param}::timestamptz)`;

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
      const { orderId, cartId, customerId, lines, totalCents, currency, shippingAddress, placedAt } = event.data as OrderPlaced['data'];
      const items = toOrderItems(lines);
      await ctx.client.query(
        `INSERT INTO ${ctx.table('order_summaries')}
           (id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
            placed_at, updated_at, version)
         VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, ${ms('$9')}, ${ms('$9')}, $10)
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

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    const orders = await loadOrders(ctx, new Set(events.map((event) => uuidValue((event.data as { orderId: unknown }).orderId))));
    const changed = new Set<SummaryRow>();
    for (const event of events) {
      const row = foldOrderEvent(orders, event);
      if (row) changed.add(row);
    }
    writeOrders(ctx, [...changed]);
  }
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
}

const SUMMARY_ROW_COLUMNS = `id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
  payment_reference, carrier, tracking_number, cancel_reason, placed_at, paid_at, shipped_at, delivered_at, cancelled_at, updated_at, version`;

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
    const { customerId, cartId, lines, totalCents, currency, shippingAddress, placedAt } = event.data as OrderPlaced['data'];
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
            ${ms('delivered_at')}, ${ms('cancelled_at')}, ${ms('updated_at')}, version
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, customer_id text, cart_id uuid, status text, total_cents bigint, currency text,
       item_count integer, items jsonb, shipping_address jsonb, payment_reference text, carrier text, tracking_number text,
       cancel_reason text, placed_at timestamptz, paid_at timestamptz, shipped_at timestamptz, delivered_at timestamptz,
       cancelled_at timestamptz, updated_at timestamptz, version integer)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, payment_reference = EXCLUDED.payment_reference,
       carrier = EXCLUDED.carrier, tracking_number = EXCLUDED.tracking_number, cancel_reason = EXCLUDED.cancel_reason,
       paid_at = EXCLUDED.paid_at, shipped_at = EXCLUDED.shipped_at, delivered_at = EXCLUDED.delivered_at,
       cancelled_at = EXCLUDED.cancelled_at, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}

/** Applies `set` (whose parameters start at $3) to the order's row if `event` is newer than the row. */
async function update(ctx: ProjectionContext, event: StoredEvent, orderId: string, set: string, params: unknown[]): Promise<void> {
  await ctx.client.query(`UPDATE ${ctx.table('order_summaries')} SET ${set}, version = $2 WHERE id = $1 AND version < $2`, [
    orderId,
    event.version,
    ...params,
  ]);
}

export interface OrderFilter {
  /** Only this customer's orders (a customer's own listing always sets it). */
  readonly customerId?: string;
  readonly status?: Exclude<OrderStatus, 'none'>;
  /** placedAt >= from (ISO time). */
  readonly from?: string;
  /** placedAt < to (ISO time). */
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** A row of order_summaries as pg hands it over: a bigint (total_cents) comes as a string. */
type PgOrderRow = Omit<OrderSummaryRow, 'totalCents'> & { totalCents: string };

/** order_summaries' columns under their OrderSummaryRow names, for a query through pg. */
const FIND_ORDER_SQL = `SELECT id, customer_id AS "customerId", cart_id AS "cartId", status, total_cents AS "totalCents", currency,
  item_count AS "itemCount", items, shipping_address AS "shippingAddress", payment_reference AS "paymentReference", carrier,
  tracking_number AS "trackingNumber", cancel_reason AS "cancelReason", placed_at AS "placedAt", paid_at AS "paidAt",
  shipped_at AS "shippedAt", delivered_at AS "deliveredAt", cancelled_at AS "cancelledAt", updated_at AS "updatedAt", version
  FROM order_summaries WHERE id = $1`;

/** The list's columns, under their OrderSummaryRow names. */
const LIST_COLUMNS = `id, customer_id AS "customerId", status, total_cents AS "totalCents", currency, item_count AS "itemCount",
  placed_at AS "placedAt", updated_at AS "updatedAt"`;

/**
 * The orders' reads, over `order_summaries`, in SQL through pg: they are the busiest reads, and TypeORM's
 * query building and entity mapping cost more CPU than the queries themselves (bench/PROFILE.md).
 */
@Injectable()
export class OrderQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * The whole order, as GET /orders/:id answers it (without `asOf`/`version`), or null. No ownership
   * check: the caller's controller decides who may see it. Optional fields are absent until their event.
   * A named (prepared) statement: a primary-key lookup, whose plan never depends on the value.
   */
  async findOrder(id: string): Promise<OrderView | null> {
    if (!isUUID(id)) return null;
    const { rows } = await this.pool.query<PgOrderRow>({ name: 'eventshop.find-order', text: FIND_ORDER_SQL, values: [id] });
    return rows.length === 0 ? null : toOrder({ ...rows[0], totalCents: Number(rows[0].totalCents) });
  }

  /**
   * Orders newest first (placedAt, then id), a page at a time (see orderListQuery); the cursor continues
   * strictly after the last row of the previous page.
   */
  async listOrders(filter: OrderFilter): Promise<OrderPage> {
    // Not a named statement: each filter's values deserve their own plan.
    const { rows } = await this.pool.query<PgOrderRow>(orderListQuery(filter));
    const page = rows.slice(0, filter.limit).map((row) => toSummary({ ...row, totalCents: Number(row.totalCents) }));
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > filter.limit ? encodePageCursor([last.placedAt, last.id]) : null };
  }


}

/**
 * GET /orders' query: a page (plus one row, to tell whether there is a next page) of the filtered orders,
 * newest first. Each filter combination walks one index in order, and stops after the page:
 * (customer_id[, status], placed_at, id), (status, placed_at, id) or (placed_at, id).
 *
 * With a status, the status index must be the one walked, and equality would not make sure of it: the
 * planner drops an ORDER BY column that equals a constant, so (placed_at, id), filtered, looks as good to
 * it, as if every status were spread evenly over time. They are not: the newest orders are mostly
 * `placed`, so asking for the newest `delivered` ones that way reads every order placed since (28,000
 * rows, 10 ms, in the benchmark). Written as a range (`status >= $1 AND status <= $1`, the same rows),
 * with status leading the ORDER BY, only the status index yields that order without sorting them all.
 */
export function orderListQuery({ customerId, status, from, to, limit, cursor }: OrderFilter): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (customerId !== undefined) where.push(`customer_id = ${param(customerId)}`);
  if (status !== undefined) {
    const ref = param(status);
    where.push(`status >= ${ref} AND status <= ${ref}`);
  }
  if (from !== undefined) where.push(`placed_at >= ${param(from)}`);
  if (to !== undefined) where.push(`placed_at < ${param(to)}`);
  if (cursor !== undefined) {
    const [afterPlacedAt, afterId] = decodePageCursor(cursor, parseOrderKeyset);
    where.push(`(placed_at, id) < (${param(afterPlacedAt)}, ${param(afterId)})`);
  }
  const order = `${status !== undefined ? 'status, ' : ''}placed_at DESC, id DESC`;
  return {
    text: `SELECT ${LIST_COLUMNS} FROM order_summaries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${param(limit + 1)}`,
    values,
  };
}

function parseOrderKeyset(keyset: unknown): [string, string] | undefined {
  if (!Array.isArray(keyset) || keyset.length !== 2) return undefined;
  const [placedAt, id] = keyset as unknown[];
  return typeof placedAt === 'string' && isISO8601(placedAt, { strict: true }) && typeof id === 'string' && isUUID(id)
    ? [placedAt, id]
    : undefined;
}

function toSummary(row: OrderSummaryRow): OrderSummary {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    totalCents: row.totalCents,
    currency: row.currency,
    itemCount: row.itemCount,
    placedAt: row.placedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toOrder(row: OrderSummaryRow): OrderView {
  const { name, line1, line2, city, postalCode, country } = row.shippingAddress;
  return {
    ...toSummary(row),
    items: toOrderItems(row.items),
    shippingAddress: { name, line1, ...(line2 !== undefined && { line2 }), city, postalCode, country },
    ...(row.paymentReference !== null && { paymentReference: row.paymentReference }),
    ...(row.carrier !== null && { carrier: row.carrier }),
    ...(row.trackingNumber !== null && { trackingNumber: row.trackingNumber }),
    ...(row.paidAt !== null && { paidAt: row.paidAt.toISOString() }),
    ...(row.shippedAt !== null && { shippedAt: row.shippedAt.toISOString() }),
    ...(row.deliveredAt !== null && { deliveredAt: row.deliveredAt.toISOString() }),
    ...(row.cancelledAt !== null && { cancelledAt: row.cancelledAt.toISOString() }),
    ...(row.cancelReason !== null && { cancelReason: row.cancelReason }),
    version: row.version,
  };
}
