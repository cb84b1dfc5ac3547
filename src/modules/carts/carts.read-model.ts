import { unreachable } from '../../event-store/decider.js';
import { readModel } from '../../projections/read-model.js';
import { children, int4, nullable, table, text, timestamp, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartEvent } from './cart.events.js';

/** A cart's line: one per product, in `cart_lines_view` (keyed by cart_id and product_id). */
export const cartLines = table('cart_lines_view', ['productId'], {
  productId: uuid(),
  quantity: int4(),
  /** The stream version of the event that first added the line: lines keep the order they were added in. */
  lineNo: int4(),
  /** Frozen by checkout (OrderPlaced); null while the cart is open, which shows current catalog prices. */
  sku: nullable(text()),
  name: nullable(text()),
  unitPriceCents: nullable(int4()),
});

/** One row per cart in `carts_view`, holding its lines. */
export const cartsView = table('carts_view', ['id'], {
  id: uuid(),
  customerId: text(),
  status: text<'open' | 'checked_out'>(),
  orderId: nullable(uuid()),
  /** The cart stream's version after its last event. */
  version: int4(),
  updatedAt: timestamp(),
  lines: children(cartLines, 'cart_id'),
});

export type CartRow = TableRow<typeof cartsView>;
export type CartLineRow = TableRow<typeof cartLines>;

const byCart = (event: { data: { cartId: string } }) => event.data.cartId;

/**
 * Carts and their lines. Cart events hold no prices: an open cart is priced at query time from the
 * catalog's read model. A checked-out cart shows the prices it was ordered at, which this read model takes
 * from the order's OrderPlaced (checkout appends it with CartCheckedOut, atomically).
 */
export const carts = readModel<CartEvent | OrderPlaced, CartRow>({
  name: 'carts',
  table: cartsView,
  keys: {
    CartCreated: byCart,
    CartItemAdded: byCart,
    CartItemQuantityChanged: byCart,
    CartItemRemoved: byCart,
    CartCheckedOut: byCart,
    CartDiscountApplied: byCart,
    CartDiscountRemoved: byCart,
    OrderPlaced: byCart,
  },
  evolve(row, event) {
    if (event.type === 'CartCreated') {
      const { cartId, customerId } = event.data;
      return { id: cartId, customerId, status: 'open', orderId: null, version: event.version, updatedAt: event.occurredAt, lines: [] };
    }
    if (!row) return null;
    if (event.type === 'OrderPlaced') return { ...row, lines: frozen(row.lines, event.data.lines) };
    const moved = { ...row, version: event.version, updatedAt: event.occurredAt };
    switch (event.type) {
      case 'CartItemAdded': {
        // Adding a product already in the cart adds to its line, which keeps its place.
        const { productId, quantity } = event.data;
        const line = row.lines.find((l) => l.productId === productId);
        const added = { productId, quantity, lineNo: event.version, sku: null, name: null, unitPriceCents: null };
        return { ...moved, lines: line ? withLine(row.lines, { ...line, quantity: line.quantity + quantity }) : [...row.lines, added] };
      }
      case 'CartItemQuantityChanged': {
        const { productId, quantity } = event.data;
        const line = row.lines.find((l) => l.productId === productId);
        return line ? { ...moved, lines: withLine(row.lines, { ...line, quantity }) } : moved;
      }
      case 'CartItemRemoved':
        return { ...moved, lines: row.lines.filter((l) => l.productId !== event.data.productId) };
      case 'CartCheckedOut':
        return { ...moved, status: 'checked_out', orderId: event.data.orderId };
      // The code itself is the cart-discounts read model's; here the cart's version and time move on.
      case 'CartDiscountApplied':
      case 'CartDiscountRemoved':
        return moved;
      default:
        return unreachable(event);
    }
  },
});

function withLine(lines: readonly CartLineRow[], changed: CartLineRow): CartLineRow[] {
  return lines.map((line) => (line.productId === changed.productId ? changed : line));
}

/** The cart's lines at the prices the order froze (lines the order does not name keep theirs). */
function frozen(lines: readonly CartLineRow[], placed: OrderPlaced['data']['lines']): CartLineRow[] {
  const prices = new Map(placed.map(({ productId, sku, name, unitPriceCents }) => [productId, { sku, name, unitPriceCents }]));
  return lines.map((line) => ({ ...line, ...prices.get(line.productId) }));
}
