import { Module } from '@nestjs/common';
import { OrderPricing1764190200003 } from './migrations/1764190200003-order-pricing.js';
import { OrderSummaries1764130100003 } from './migrations/1764130100003-order-summaries.js';
import { OrdersController } from './orders.controller.js';
import { orderCommandHandlers } from './orders.handlers.js';
import { OrderQueries } from './order-queries.js';
import { OrderExpiryReaction, OrderPaymentTimeoutHandler } from './order-expiry.reaction.js';
import { OrderSummaryProjection } from './order-summary.projection.js';
import { OrdersQueriesController } from './orders.queries.controller.js';

@Module({
  controllers: [OrdersController, OrdersQueriesController],
  providers: [...orderCommandHandlers, OrderSummaryProjection, OrderQueries, OrderExpiryReaction, OrderPaymentTimeoutHandler],
})
export class OrdersModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [OrderSummaries1764130100003, OrderPricing1764190200003];
}
