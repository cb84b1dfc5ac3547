import { readModel } from '../../projections/read-model.js';
import { int4, int8, nullable, table, text, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartDiscountApplied, CartDiscountRemoved } from './cart.events.js';

export const CART_DISCOUNTS_READ_MODEL = 'cart-discounts';

/** One row per cart that ever held a code, in `cart_discounts_view`. */
export const cartDiscountsView = table('cart_discounts_view', ['cartId'], {
  cartId: uuid(),
  /** The code the cart holds (null once taken off). */
  codeId: nullable(uuid()),
  code: nullable(text()),
  /** Once checked out with a code: the discount its order was placed with. */
  orderedDiscountCents: nullable(int8()),
  /** The cart stream's version after the last of its discount events. */
  version: int4(),
});

export type CartDiscountRow = TableRow<typeof cartDiscountsView>;

const byCart = (event: { data: { cartId: string } }) => event.data.cartId;

/**
 * The code each cart holds and, once checked out, the discount its order was placed with (from
 * OrderPlaced, which checkout appends with CartCheckedOut). Kept apart from `carts_view` so the carts read
 * model stays as lean as the add-item load needs; the cart's GET joins both.
 */
export const cartDiscounts = readModel<CartDiscountApplied | CartDiscountRemoved | OrderPlaced, CartDiscountRow>({
  name: CART_DISCOUNTS_READ_MODEL,
  table: cartDiscountsView,
  keys: { CartDiscountApplied: byCart, CartDiscountRemoved: byCart, OrderPlaced: byCart },
  evolve(row, event) {
    switch (event.type) {
      case 'CartDiscountApplied': {
        const { cartId, codeId, code } = event.data;
        return { cartId, codeId, code, orderedDiscountCents: row?.orderedDiscountCents ?? null, version: event.version };
      }
      case 'CartDiscountRemoved':
        return row && { ...row, codeId: null, code: null, version: event.version };
      case 'OrderPlaced':
        // Only a cart that went to checkout with a code has a row to complete.
        if (!row || !event.data.discountCode) return row;
        return { ...row, orderedDiscountCents: BigInt(event.data.discountCents ?? 0) };
    }
  },
});
