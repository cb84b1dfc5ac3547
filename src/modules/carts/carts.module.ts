import { Module } from '@nestjs/common';
import { CartsController } from './carts.controller.js';
import { cartCommandHandlers } from './carts.handlers.js';
import { CartQueries } from './cart-queries.js';
import { CartDiscountsProjection } from './cart-discounts.projection.js';
import { CartsProjection } from './carts.projection.js';
import { CartsQueriesController } from './carts.queries.controller.js';

@Module({
  imports: [],
  controllers: [CartsController, CartsQueriesController],
  providers: [...cartCommandHandlers, CartsProjection, CartDiscountsProjection, CartQueries],
})
export class CartsModule {}
