import type { NewEvent } from '../../event-store/event.js';

/** Stream type of a review. Its id is `streamIdFor(REVIEW_STREAM, customerId, productId)`: one per both. */
export const REVIEW_STREAM = 'review';

export type ReviewPosted = NewEvent<
  'ReviewPosted',
  { reviewId: string; productId: string; customerId: string; rating: number; text: string; postedAt: string }
>;

/** Holds only what changed. */
export type ReviewEdited = NewEvent<'ReviewEdited', { reviewId: string; rating?: number; text?: string; editedAt: string }>;

export type ReviewHidden = NewEvent<'ReviewHidden', { reviewId: string; reason: string; hiddenAt: string }>;

export type ReviewEvent = ReviewPosted | ReviewEdited | ReviewHidden;
