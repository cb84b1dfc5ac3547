import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { OrderEvent } from './order.events.js';
import { orderSummary, type OrderRow } from './order-summary.read-model.js';

/** Builds `order_summaries` from the order-summary read model's declaration. */
@ProjectionProvider()
@Injectable()
export class OrderSummaryProjection extends ReadModelProjection<OrderEvent, OrderRow> {
  constructor() {
    super(orderSummary);
  }
}
