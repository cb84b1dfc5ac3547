import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { ReviewEvent } from './review.events.js';
import { reviewPurchaseIndex, type ReviewPurchaseRow } from './review-purchases.read-model.js';
import { reviewList, type ReviewRow } from './review.read-model.js';

/** Builds `reviews_view` and `product_ratings`. */
@ProjectionProvider()
@Injectable()
export class ReviewsProjection extends ReadModelProjection<ReviewEvent, ReviewRow> {
  constructor() {
    super(reviewList);
  }
}

/** Builds `review_purchases`. */
@ProjectionProvider()
@Injectable()
export class ReviewPurchasesProjection extends ReadModelProjection<OrderPlaced, ReviewPurchaseRow> {
  constructor() {
    super(reviewPurchaseIndex);
  }
}
