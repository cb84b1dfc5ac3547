import { Module } from '@nestjs/common';
import { DiscountCodesReadModel1764190200001 } from './migrations/1764190200001-discount-codes-read-model.js';
import { DiscountQueries } from './discount-queries.js';
import { DiscountsController } from './discounts.controller.js';
import { discountCommandHandlers } from './discounts.handlers.js';
import { DiscountsProjection } from './discounts.projection.js';

@Module({
  controllers: [DiscountsController],
  providers: [...discountCommandHandlers, DiscountsProjection, DiscountQueries],
})
export class DiscountsModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [DiscountCodesReadModel1764190200001];
}
