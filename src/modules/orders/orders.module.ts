import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersController } from './orders.controller.js';
import { orderCommandHandlers } from './orders.handlers.js';
import { OrderQueries } from './order-queries.js';
import { OrderExpiryReaction, OrderPaymentTimeoutHandler } from './order-expiry.reaction.js';
import { OrderSummaryProjection } from './order-summary.projection.js';
import { OrderSummaryRow } from './order-summary.read-model.js';
import { OrdersQueriesController } from './orders.queries.controller.js';

@Module({
  // The read model's table, known to TypeORM (its schema tooling); OrderQueries reads it through pg.
  imports: [TypeOrmModule.forFeature([OrderSummaryRow])],
  controllers: [OrdersController, OrdersQueriesController],
  providers: [...orderCommandHandlers, OrderSummaryProjection, OrderQueries, OrderExpiryReaction, OrderPaymentTimeoutHandler],
})
export class OrdersModule {}
