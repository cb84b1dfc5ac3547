import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersController } from './orders.controller.js';
import { orderCommandHandlers } from './orders.handlers.js';
import { OrderQueries, OrderSummaryProjection, OrderSummaryRow } from './order-summary.projection.js';
import { OrdersQueriesController } from './orders.queries.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([OrderSummaryRow])],
  controllers: [OrdersController, OrdersQueriesController],
  providers: [...orderCommandHandlers, OrderSummaryProjection, OrderQueries],
})
export class OrdersModule {}
