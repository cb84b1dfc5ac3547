import { Injectable } from '@nestjs/common';
import { ProjectionProvider, type Projection } from '../../projections/projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartDiscountApplied, CartDiscountRemoved } from './cart.events.js';

export const CART_DISCOUNTS_READ_MODEL = 'cart-discounts';

/**
 * Builds `cart_discounts_view`: the code each cart holds, and once checked out the discount its order
 * was placed with (from OrderPlaced, which checkout appends with CartCheckedOut). Kept apart from
 * `carts_view` so carts' own projection is untouched; the cart's GET joins both. Cart events move a row
 * only if newer than its version, so applying one twice changes nothing; OrderPlaced sets values.
 */
@ProjectionProvider()
@Injectable()
export class CartDiscountsProjection implements Projection {
  readonly name = CART_DISCOUNTS_READ_MODEL;
  readonly tables = ['cart_discounts_view'];

  readonly handlers: Projection['handlers'] = {
    CartDiscountApplied: async (event, ctx) => {
      const { cartId, codeId, code } = event.data as CartDiscountApplied['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('cart_discounts_view')} AS d (cart_id, code_id, code, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cart_id) DO UPDATE SET code_id = EXCLUDED.code_id, code = EXCLUDED.code, version = EXCLUDED.version
         WHERE d.version < EXCLUDED.version`,
        [cartId, codeId, code, event.version],
      );
    },
    CartDiscountRemoved: async (event, ctx) => {
      const { cartId } = event.data as CartDiscountRemoved['data'];
      await ctx.client.query(`UPDATE ${ctx.table('cart_discounts_view')} SET code_id = NULL, code = NULL, version = $2 WHERE cart_id = $1 AND version < $2`, [
        cartId,
        event.version,
      ]);
    },
    OrderPlaced: async (event, ctx) => {
      const { cartId, discountCode, discountCents } = event.data as OrderPlaced['data'];
      if (!discountCode) return;
      await ctx.client.query(`UPDATE ${ctx.table('cart_discounts_view')} SET ordered_discount_cents = $2 WHERE cart_id = $1`, [cartId, discountCents ?? 0]);
    },
  };
}
