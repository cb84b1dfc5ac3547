import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrderSummaries1764130100003 } from './migrations/1764130100003-order-summaries.js';
import { OrdersController } from './orders.controller.js';
import { orderCommandHandlers } from './orders.handlers.js';
import { OrderQueries } from './order-queries.js';
import { OrderSummaryProjection } from './order-summary.projection.js';
import { OrderSummaryRow } from './order-summary.read-model.js';
import { OrdersQueriesController } from './orders.queries.controller.js';

@Module({
  // The read model's table, known to TypeORM (its schema tooling); OrderQueries reads it through pg.
  imports: [TypeOrmModule.forFeature([OrderSummaryRow])],
  controllers: [OrdersController, OrdersQueriesController],
  providers: [...orderCommandHandlers, OrderSummaryProjection, OrderQueries],
})
export class OrdersModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [OrderSummaries1764130100003];
}
