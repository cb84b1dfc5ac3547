import { Injectable } from '@nestjs/common';
import type { StoredEvent } from '../../event-store/event.js';
import { int4Value, jsonValue, textValue, timestampValue, UnexpectedValueError, uuidValue } from '../../projections/batch-values.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../projections/projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartCheckedOut, CartCreated, CartItemAdded, CartItemQuantityChanged, CartItemRemoved } from './cart.events.js';

/**
 * Builds `carts_view` and `cart_lines_view`. Cart events hold no prices: an open cart is priced at query
 * time from the catalog's read model. A checked-out cart shows the prices it was ordered at, which this
 * projection takes from the order's OrderPlaced (checkout appends it with CartCheckedOut, atomically).
 *
 * Each cart event first moves the cart row's version forward and only then touches the lines, in one
 * statement, so an event applied twice changes nothing. `applyBatch` does what the handlers do, for a
 * whole batch at once: it loads the carts the batch touches, folds the events in memory by the same
 * rules, and writes back what changed.
 */
@ProjectionProvider()
@Injectable()
export class CartsProjection implements Projection {
  readonly name = 'carts';
  readonly tables = ['carts_view', 'cart_lines_view'];

  readonly handlers: Projection['handlers'] = {
    CartCreated: async (event, ctx) => {
      const { cartId, customerId } = event.data as CartCreated['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('carts_view')} (id, customer_id, status, version, updated_at)
         VALUES ($1, $2, 'open', $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [cartId, customerId, event.version, event.occurredAt],
      );
    },
    CartItemAdded: async (event, ctx) => {
      const { cartId, productId, quantity } = event.data as CartItemAdded['data'];
      // Adding a product already in the cart adds to its line, which keeps its place.
      await ctx.client.query(
        `${advanceCart(ctx)}
         INSERT INTO ${ctx.table('cart_lines_view')} AS line (cart_id, product_id, quantity, line_no)
         SELECT id, $4, $5, $2 FROM cart
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = line.quantity + EXCLUDED.quantity`,
        [...cartParams(cartId, event), productId, quantity],
      );
    },
    CartItemQuantityChanged: async (event, ctx) => {
      const { cartId, productId, quantity } = event.data as CartItemQuantityChanged['data'];
      await ctx.client.query(
        `${advanceCart(ctx)}
         UPDATE ${ctx.table('cart_lines_view')} AS line SET quantity = $5
         FROM cart WHERE line.cart_id = cart.id AND line.product_id = $4`,
        [...cartParams(cartId, event), productId, quantity],
      );
    },
    CartItemRemoved: async (event, ctx) => {
      const { cartId, productId } = event.data as CartItemRemoved['data'];
      await ctx.client.query(
        `${advanceCart(ctx)}
         DELETE FROM ${ctx.table('cart_lines_view')} AS line
         USING cart WHERE line.cart_id = cart.id AND line.product_id = $4`,
        [...cartParams(cartId, event), productId],
      );
    },
    CartCheckedOut: async (event, ctx) => {
      const { cartId, orderId } = event.data as CartCheckedOut['data'];
      await ctx.client.query(
        `UPDATE ${ctx.table('carts_view')} SET status = 'checked_out', order_id = $4, version = $2, updated_at = $3
         WHERE id = $1 AND version < $2`,
        [...cartParams(cartId, event), orderId],
      );
    },
    OrderPlaced: async (event, ctx) => {
      const { cartId, lines } = event.data as OrderPlaced['data'];
      await ctx.client.query(
        `UPDATE ${ctx.table('cart_lines_view')} AS line
         SET sku = placed.sku, name = placed.name, unit_price_cents = placed."unitPriceCents"
         FROM jsonb_to_recordset($2::jsonb) AS placed("productId" uuid, sku text, name text, "unitPriceCents" integer)
         WHERE line.cart_id = $1 AND line.product_id = placed."productId"`,
        [cartId, JSON.stringify(lines)],
      );
    },
  };

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    const carts = await loadCarts(ctx, new Set(events.map((event) => uuidValue((event.data as { cartId: unknown }).cartId))));
    for (const event of events) foldCartEvent(carts, event);
    writeCarts(ctx, [...carts.values()]);
  }
}

/** A CTE `cart` that moves the cart's row to `event` ($1 cart id, $2 version, $3 time), empty if already there. */
function advanceCart(ctx: ProjectionContext): string {
  return `WITH cart AS (
    UPDATE ${ctx.table('carts_view')} SET version = $2, updated_at = $3 WHERE id = $1 AND version < $2 RETURNING id
  )`;
}

function cartParams(cartId: string, event: StoredEvent): unknown[] {
  return [cartId, event.version, event.occurredAt];
}

interface CartViewRow {
  id: string;
  customer_id: string;
  status: 'open' | 'checked_out';
  order_id: string | null;
  version: number;
  /** A Date as loaded; the event's `occurredAt` once an event has moved the row. */
  updated_at: Date | string;
}

interface CartLineRow {
  cart_id: string;
  product_id: string;
  quantity: number;
  line_no: number;
  sku: string | null;
  name: string | null;
  unit_price_cents: number | null;
}

/** A cart as a batch folds it: its row (if it has one), its lines by product, and what to write back. */
interface FoldedCart {
  readonly id: string;
  row: CartViewRow | undefined;
  rowChanged: boolean;
  readonly lines: Map<string, CartLineRow>;
  /** Products whose line the batch wrote or deleted. */
  readonly touchedLines: Set<string>;
}

/**
 * The rows of `cartIds` (lower case) with their lines, as they stand in this transaction, in one query.
 * Only carts with a row have lines: lines are written only by an event that moved its cart's row, and
 * rows are never deleted.
 */
async function loadCarts(ctx: ProjectionContext, cartIds: ReadonlySet<string>): Promise<Map<string, FoldedCart>> {
  const ids = [...cartIds];
  const carts = new Map<string, FoldedCart>(ids.map((id) => [id, { id, row: undefined, rowChanged: false, lines: new Map(), touchedLines: new Set() }]));
  const { rows } = await ctx.client.query<CartViewRow & { lines: Omit<CartLineRow, 'cart_id'>[] | null }>(
    `SELECT c.id, c.customer_id, c.status, c.order_id, c.version, c.updated_at,
            (SELECT json_agg(l) FROM (
               SELECT product_id, quantity, line_no, sku, name, unit_price_cents FROM ${ctx.table('cart_lines_view')} WHERE cart_id = c.id
             ) l) AS lines
     FROM ${ctx.table('carts_view')} c WHERE c.id = ANY($1::uuid[])`,
    [ids],
  );
  for (const { lines, ...row } of rows) {
    const cart = foldedCart(carts, row.id);
    cart.row = row;
    for (const line of lines ?? []) cart.lines.set(line.product_id, { cart_id: row.id, ...line });
  }
  return carts;
}

function foldedCart(carts: ReadonlyMap<string, FoldedCart>, cartId: string): FoldedCart {
  const cart = carts.get(cartId);
  if (!cart) throw new Error(`cart ${cartId} was not loaded`);
  return cart;
}

/**
 * One event, by the handlers' rules: CartCreated makes the row if there is none; every other cart event
 * applies only if it moves an existing row's version forward; OrderPlaced freezes the prices of the lines
 * the cart has now. Every value the handler would send is checked, whether or not it changes anything.
 */
function foldCartEvent(carts: ReadonlyMap<string, FoldedCart>, event: StoredEvent): void {
  const cart = foldedCart(carts, uuidValue((event.data as { cartId: unknown }).cartId));
  const version = () => int4Value(event.version);
  const at = () => timestampValue(event.occurredAt);
  switch (event.type) {
    case 'CartCreated': {
      const { cartId, customerId } = event.data as CartCreated['data'];
      const row = { id: uuidValue(cartId), customer_id: textValue(customerId), status: 'open', order_id: null, version: version(), updated_at: at() } as const;
      if (!cart.row) {
        cart.row = { ...row };
        cart.rowChanged = true;
      }
      return;
    }
    case 'CartItemAdded': {
      const { productId, quantity } = event.data as CartItemAdded['data'];
      const product = uuidValue(productId);
      const added = int4Value(quantity);
      if (!advance(cart, version(), at())) return;
      const line = cart.lines.get(product);
      if (line) line.quantity = int4Value(line.quantity + added);
      else cart.lines.set(product, { cart_id: cart.id, product_id: product, quantity: added, line_no: event.version, sku: null, name: null, unit_price_cents: null });
      cart.touchedLines.add(product);
      return;
    }
    case 'CartItemQuantityChanged': {
      const { productId, quantity } = event.data as CartItemQuantityChanged['data'];
      const product = uuidValue(productId);
      const newQuantity = int4Value(quantity);
      if (!advance(cart, version(), at())) return;
      const line = cart.lines.get(product);
      if (!line) return;
      line.quantity = newQuantity;
      cart.touchedLines.add(product);
      return;
    }
    case 'CartItemRemoved': {
      const product = uuidValue((event.data as CartItemRemoved['data']).productId);
      if (!advance(cart, version(), at())) return;
      if (cart.lines.delete(product)) cart.touchedLines.add(product);
      return;
    }
    case 'CartCheckedOut': {
      const orderId = uuidValue((event.data as CartCheckedOut['data']).orderId);
      const row = advance(cart, version(), at());
      if (!row) return;
      row.status = 'checked_out';
      row.order_id = orderId;
      return;
    }
    case 'OrderPlaced': {
      const placed = jsonValue((event.data as OrderPlaced['data']).lines as unknown);
      if (!Array.isArray(placed)) throw new UnexpectedValueError('order lines', placed);
      const frozen = new Map<string, Pick<CartLineRow, 'sku' | 'name' | 'unit_price_cents'>>();
      for (const line of placed as unknown[]) {
        const { productId, sku, name, unitPriceCents } = (line ?? {}) as Partial<OrderPlaced['data']['lines'][number]>;
        const product = uuidValue(productId);
        // With a product twice, the handler's UPDATE ... FROM would take either: leave it to the handler.
        if (frozen.has(product)) throw new UnexpectedValueError('order lines', placed);
        frozen.set(product, { sku: textValue(sku), name: textValue(name), unit_price_cents: int4Value(unitPriceCents) });
      }
      for (const [product, prices] of frozen) {
        const line = cart.lines.get(product);
        if (!line) continue;
        Object.assign(line, prices);
        cart.touchedLines.add(product);
      }
      return;
    }
    default:
      throw new Error(`the carts projection has no rule for ${event.type}`);
  }
}

/** advanceCart: moves an existing row that is behind the event to it; undefined if the event changes nothing. */
function advance(cart: FoldedCart, version: number, at: string): CartViewRow | undefined {
  const { row } = cart;
  if (!row || row.version >= version) return undefined;
  row.version = version;
  row.updated_at = at;
  cart.rowChanged = true;
  return row;
}

/**
 * What the fold changed, in one statement: the rows upserted whole; the touched lines upserted whole if
 * they are still there, deleted if not (disjoint keys, so the two cannot trip over each other).
 */
function writeCarts(ctx: ProjectionContext, carts: readonly FoldedCart[]): void {
  const rows = carts.flatMap((cart) => (cart.rowChanged && cart.row ? [cart.row] : []));
  const kept: CartLineRow[] = [];
  const gone: Array<{ cartId: string; productId: string }> = [];
  for (const cart of carts) {
    for (const product of cart.touchedLines) {
      const line = cart.lines.get(product);
      if (line) kept.push(line);
      else gone.push({ cartId: cart.id, productId: product });
    }
  }
  if (rows.length === 0 && kept.length === 0 && gone.length === 0) return;
  const lines = ctx.table('cart_lines_view');
  ctx.defer(
    `WITH cart_rows AS (
       INSERT INTO ${ctx.table('carts_view')} (id, customer_id, status, order_id, version, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[], $6::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, status = EXCLUDED.status, order_id = EXCLUDED.order_id,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
     ), gone_lines AS (
       DELETE FROM ${lines} AS line USING unnest($7::uuid[], $8::uuid[]) AS gone(cart_id, product_id)
       WHERE line.cart_id = gone.cart_id AND line.product_id = gone.product_id
     )
     INSERT INTO ${lines} (cart_id, product_id, quantity, line_no, sku, name, unit_price_cents)
     SELECT * FROM unnest($9::uuid[], $10::uuid[], $11::int[], $12::int[], $13::text[], $14::text[], $15::int[])
     ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity, line_no = EXCLUDED.line_no, sku = EXCLUDED.sku,
       name = EXCLUDED.name, unit_price_cents = EXCLUDED.unit_price_cents`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.customer_id),
      rows.map((r) => r.status),
      rows.map((r) => r.order_id),
      rows.map((r) => r.version),
      rows.map((r) => r.updated_at),
      gone.map((g) => g.cartId),
      gone.map((g) => g.productId),
      kept.map((l) => l.cart_id),
      kept.map((l) => l.product_id),
      kept.map((l) => l.quantity),
      kept.map((l) => l.line_no),
      kept.map((l) => l.sku),
      kept.map((l) => l.name),
      kept.map((l) => l.unit_price_cents),
    ],
  );
}
