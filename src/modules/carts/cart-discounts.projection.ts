import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartDiscountApplied, CartDiscountRemoved } from './cart.events.js';
import { cartDiscounts, type CartDiscountRow } from './cart-discounts.read-model.js';

export { CART_DISCOUNTS_READ_MODEL } from './cart-discounts.read-model.js';

/** Builds `cart_discounts_view` from its read model's declaration. */
@ProjectionProvider()
@Injectable()
export class CartDiscountsProjection extends ReadModelProjection<CartDiscountApplied | CartDiscountRemoved | OrderPlaced, CartDiscountRow> {
  constructor() {
    super(cartDiscounts);
  }
}
