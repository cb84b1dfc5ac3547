import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartEvent } from './cart.events.js';
import { carts, type CartRow } from './carts.read-model.js';

/** Builds `carts_view` and `cart_lines_view` from the carts read model's declaration. */
@ProjectionProvider()
@Injectable()
export class CartsProjection extends ReadModelProjection<CartEvent | OrderPlaced, CartRow> {
  constructor() {
    super(carts);
  }
}
