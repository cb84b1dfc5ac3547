import { Module } from '@nestjs/common';
import { DiscountQueries } from './discount-queries.js';
import { DiscountsController } from './discounts.controller.js';
import { discountCommandHandlers } from './discounts.handlers.js';
import { DiscountsProjection } from './discounts.projection.js';

@Module({
  controllers: [DiscountsController],
  providers: [...discountCommandHandlers, DiscountsProjection, DiscountQueries],
})
export class DiscountsModule {}
