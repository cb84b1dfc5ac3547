import { Module } from '@nestjs/common';
import { Reviews1764220000000 } from './migrations/1764220000000-reviews.js';
import { ReviewQueries } from './review-queries.js';
import { ReviewsController } from './reviews.controller.js';
import { reviewCommandHandlers } from './reviews.handlers.js';
import { ReviewPurchasesProjection, ReviewsProjection } from './reviews.projection.js';
import { ReviewsQueriesController } from './reviews.queries.controller.js';

/** Product reviews (shared/spec/api.md, Reviews). */
@Module({
  controllers: [ReviewsController, ReviewsQueriesController],
  providers: [...reviewCommandHandlers, ReviewsProjection, ReviewPurchasesProjection, ReviewQueries],
})
export class ReviewsModule {
  static readonly migrations = [Reviews1764220000000];
}
