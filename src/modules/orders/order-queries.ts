import { Injectable } from '@nestjs/common';
import { isISO8601, isUUID } from 'class-validator';
import { ReadModelDb, uuidKey } from '../../database/read-model-db.js';
import { isoFromTimestamptz, TIMESTAMPTZ_AS_TEXT } from '../../database/timestamps.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import type { OrderStatus } from './order.decider.js';
import type { OrderLine, PlacedOrderPricing, ShippingAddress } from './order.events.js';
import type { OrderView } from './order.view.js';
import { toOrderItems, type OrderSummary } from './order-summary.read-model.js';

export interface OrderPage {
  items: OrderSummary[];
  nextCursor: string | null;
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

/**
 * An order_summaries row as one JSON value, built by PostgreSQL: pg hands it over through one
 * JSON.parse. Read as 21 columns, pg's per-column work (the row description, a type parser per column,
 * a regex per timestamp) cost more of the service's CPU than the rest of the read, and the service's one
 * event loop is what bounds GET /orders/:id, not PostgreSQL. Only the row is built there: building the
 * API's shape in SQL as well (to_char for the times, json_strip_nulls, the lines rebuilt) cost PostgreSQL
 * more (about 0.15 ms a read) than it saved the service. Times come as ISO text with an offset.
 */
const ORDER_JSON = `json_build_object('id', id, 'customerId', customer_id, 'status', status, 'totalCents', total_cents,
  'currency', currency, 'itemCount', item_count, 'placedAt', placed_at, 'updatedAt', updated_at, 'items', items,
  'shippingAddress', shipping_address, 'paymentReference', payment_reference, 'carrier', carrier, 'trackingNumber', tracking_number,
  'cancelReason', cancel_reason, 'paidAt', paid_at, 'shippedAt', shipped_at, 'deliveredAt', delivered_at, 'cancelledAt', cancelled_at,
  'version', version, 'pricing', pricing)`;

/**
 * Primary-key lookups, several at once (ReadModelDb.lookup), whose plan never depends on the values: a
 * named (prepared) statement.
 */
const FIND_ORDERS = { name: 'orders.find-orders-json', text: `SELECT ${ORDER_JSON} AS "order" FROM order_summaries WHERE id = ANY($1::uuid[])` };

/**
 * The list's columns, under their SummaryRow names. Not one JSON value per row, as FIND_ORDERS: for a
 * page of 21 rows PostgreSQL took ~0.1 ms longer to write them as JSON (its timestamps' text above all)
 * than the service saved parsing them (~0.04 ms).
 */
const LIST_COLUMNS = `id, customer_id AS "customerId", status, total_cents AS "totalCents", currency, item_count AS "itemCount",
  placed_at AS "placedAt", updated_at AS "updatedAt"`;

/**
 * The list's columns of order_summaries, as pg hands them over: a bigint (total_cents) comes as a string,
 * and the times as PostgreSQL's text (TIMESTAMPTZ_AS_TEXT).
 */
interface SummaryRow {
  id: string;
  customerId: string;
  status: Exclude<OrderStatus, 'none'>;
  totalCents: string;
  currency: string;
  itemCount: number;
  placedAt: string;
  updatedAt: string;
}

/** A whole row, as ORDER_JSON has it (times as ISO text with an offset, total_cents as a number). */
interface OrderJson {
  id: string;
  customerId: string;
  status: Exclude<OrderStatus, 'none'>;
  totalCents: number;
  currency: string;
  itemCount: number;
  placedAt: string;
  updatedAt: string;
  items: OrderLine[];
  shippingAddress: ShippingAddress;
  paymentReference: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  cancelReason: string | null;
  paidAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  cancelledAt: string | null;
  version: number;
  /** What the order was priced with; null in a row written before pricing existed. */
  pricing: PlacedOrderPricing | null;
}

/** The orders' reads, over `order_summaries`. */
@Injectable()
export class OrderQueries {
  private readonly findRow: (id: string) => Promise<{ order: OrderJson } | null>;

  constructor(private readonly db: ReadModelDb) {
    this.findRow = db.lookup(FIND_ORDERS, (row: { order: OrderJson }) => row.order.id, uuidKey);
  }

  /**
   * The whole order, as GET /orders/:id answers it (without `asOf`/`version`), or null. No ownership
   * check: the caller's controller decides who may see it. Optional fields are absent until their event.
   */
  async findOrder(id: string): Promise<OrderView | null> {
    const row = await this.findRow(id);
    return row && toOrder(row.order);
  }

  /**
   * Orders newest first (placedAt, then id), a page at a time (see orderListQuery); the cursor continues
   * strictly after the last row of the previous page.
   */
  async listOrders(filter: OrderFilter): Promise<OrderPage> {
    const { name, text, values } = orderListQuery(filter);
    const rows = await this.db.query<SummaryRow>({ name, text, types: TIMESTAMPTZ_AS_TEXT }, values);
    const page = rows.slice(0, filter.limit).map(toSummary);
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
 *
 * So the plan a query needs depends on which filters it has, not on their values, and each combination
 * (32 at most) is a named statement. PostgreSQL parses it once per connection; after five runs it keeps one
 * plan for all values if that costs no more than the plans it made for each (for a few combinations, such
 * as a date range alone, it does not: with LIMIT a parameter the generic estimate is dearer, and each run
 * is still planned). Parsing and planning had cost PostgreSQL more than running the query: over the
 * benchmark's mix on 1M orders, 0.19–0.30 ms of its CPU a request named against 0.30–0.42 unnamed, and
 * more requests/s at 50 connections in 7 of 9 pairs of runs. A test holds every combination's generic
 * plan to one walk of its index in order, without a sort (test/read-models/order-summary.projection.test.ts);
 * a new filter must keep it so.
 */
export function orderListQuery({ customerId, status, from, to, limit, cursor }: OrderFilter): { name: string; text: string; values: unknown[] } {
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
  // The text depends only on which filters are present, and so does the name.
  const shape = [customerId, status, from, to, cursor].map((v, i) => (v === undefined ? '-' : 'csftk'[i])).join('');
  return {
    name: `orders.list.${shape}`,
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

function toSummary(row: SummaryRow): OrderSummary {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    totalCents: Number(row.totalCents),
    currency: row.currency,
    itemCount: row.itemCount,
    placedAt: isoFromTimestamptz(row.placedAt),
    updatedAt: isoFromTimestamptz(row.updatedAt),
  };
}

function toOrder(row: OrderJson): OrderView {
  const { name, line1, line2, city, postalCode, country } = row.shippingAddress;
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    totalCents: row.totalCents,
    currency: row.currency,
    itemCount: row.itemCount,
    placedAt: isoFromTimestamptz(row.placedAt),
    updatedAt: isoFromTimestamptz(row.updatedAt),
    items: toOrderItems(row.items),
    // A row from before pricing existed: its total is its subtotal, nothing else was charged.
    ...(row.pricing ?? { subtotalCents: row.totalCents, discountCents: 0, shippingCents: 0, taxCents: 0, taxRateBasisPoints: 0 }),
    shippingAddress: { name, line1, ...(line2 !== undefined && { line2 }), city, postalCode, country },
    ...(row.paymentReference !== null && { paymentReference: row.paymentReference }),
    ...(row.carrier !== null && { carrier: row.carrier }),
    ...(row.trackingNumber !== null && { trackingNumber: row.trackingNumber }),
    ...(row.paidAt !== null && { paidAt: isoFromTimestamptz(row.paidAt) }),
    ...(row.shippedAt !== null && { shippedAt: isoFromTimestamptz(row.shippedAt) }),
    ...(row.deliveredAt !== null && { deliveredAt: isoFromTimestamptz(row.deliveredAt) }),
    ...(row.cancelledAt !== null && { cancelledAt: isoFromTimestamptz(row.cancelledAt) }),
    ...(row.cancelReason !== null && { cancelReason: row.cancelReason }),
    version: row.version,
  };
}
