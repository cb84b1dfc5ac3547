import { unreachable } from '../../event-store/decider.js';
import { readModel } from '../../projections/read-model.js';
import { boolean, int4, int8, table, text, timestamp, uuid, type TableRow } from '../../projections/read-model-columns.js';
import { totals } from '../../projections/read-model-totals.js';
import type { ReviewEvent } from './review.events.js';

/** One row per review, hidden ones included (a list leaves them out): what GET /products/:id/reviews pages. */
export const reviews = table('reviews_view', ['id'], {
  id: uuid(),
  productId: uuid(),
  rating: int4(),
  text: text(),
  hidden: boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Per product, over its visible reviews: GET /products/:id/rating. */
export const productRatings = table('product_ratings', ['productId'], {
  productId: uuid(),
  reviews: int8(),
  ratingSum: int8(),
  stars1: int8(),
  stars2: int8(),
  stars3: int8(),
  stars4: int8(),
  stars5: int8(),
});

export type ReviewRow = TableRow<typeof reviews>;

const byReview = (event: { data: { reviewId: string } }) => event.data.reviewId;

/** A visible review counts once, under its rating; a hidden one counts nowhere. */
function rating(review: ReviewRow) {
  if (review.hidden) return [];
  const star = (n: number) => (review.rating === n ? 1n : 0n);
  return [
    {
      productId: review.productId,
      reviews: 1n,
      ratingSum: BigInt(review.rating),
      stars1: star(1),
      stars2: star(2),
      stars3: star(3),
      stars4: star(4),
      stars5: star(5),
    },
  ];
}

/** The reviews as the public sees them, and each product's rating over them. */
export const reviewList = readModel<ReviewEvent, ReviewRow>({
  name: 'reviews',
  table: reviews,
  keys: { ReviewPosted: byReview, ReviewEdited: byReview, ReviewHidden: byReview },
  evolve(row, event) {
    switch (event.type) {
      case 'ReviewPosted': {
        const { reviewId, productId, rating, text, postedAt } = event.data;
        return { id: reviewId, productId, rating, text, hidden: false, createdAt: postedAt, updatedAt: postedAt };
      }
      case 'ReviewEdited': {
        const { rating, text, editedAt } = event.data;
        return row && { ...row, rating: rating ?? row.rating, text: text ?? row.text, updatedAt: editedAt };
      }
      case 'ReviewHidden':
        return row && { ...row, hidden: true };
      default:
        return unreachable(event);
    }
  },
  totals: [totals(productRatings, rating)],
});
