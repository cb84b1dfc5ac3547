import { Module } from '@nestjs/common';
import { CartDiscountsReadModel1764190200002 } from './migrations/1764190200002-cart-discounts-read-model.js';
import { CartsController } from './carts.controller.js';
import { cartCommandHandlers } from './carts.handlers.js';
import { CartQueries } from './cart-queries.js';
import { CartDiscountsProjection } from './cart-discounts.projection.js';
import { CartsProjection } from './carts.projection.js';
import { CartsQueriesController } from './carts.queries.controller.js';
import { CartsReadModel1764130100002 } from './migrations/1764130100002-carts-read-model.js';

@Module({
  imports: [],
  controllers: [CartsController, CartsQueriesController],
  providers: [...cartCommandHandlers, CartsProjection, CartDiscountsProjection, CartQueries],
})
export class CartsModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [CartsReadModel1764130100002, CartDiscountsReadModel1764190200002];
}
