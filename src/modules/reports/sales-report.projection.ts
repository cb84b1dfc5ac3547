import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { OrderCancelled, OrderPlaced } from '../orders/order.events.js';
import { salesReport, type SalesOrderRow } from './sales-report.read-model.js';

/** Builds `sales_orders` and the daily totals from the sales report's declaration. */
@ProjectionProvider()
@Injectable()
export class SalesReportProjection extends ReadModelProjection<OrderPlaced | OrderCancelled, SalesOrderRow> {
  constructor() {
    super(salesReport);
  }
}
