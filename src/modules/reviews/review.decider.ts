import { unreachable, type Decider, type Projector } from '../../event-store/decider.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../event-store/errors.js';
import type { ProductEvent } from '../catalog/product.events.js';
import type { OrderEvent } from '../orders/order.events.js';
import type { ReviewEvent } from './review.events.js';

/** This module's conflict codes (documented on its routes, answered as 409). */
export const REVIEW_NOT_ALLOWED = 'REVIEW_NOT_ALLOWED';
export const REVIEW_EXISTS = 'REVIEW_EXISTS';
export const REVIEW_HIDDEN = 'REVIEW_HIDDEN';

export interface PostReview {
  readonly type: 'PostReview';
  readonly reviewId: string;
  readonly productId: string;
  readonly customerId: string;
  readonly rating: number;
  readonly text: string;
  readonly postedAt: string;
}

export interface EditReview {
  readonly type: 'EditReview';
  readonly reviewId: string;
  /** Who asks: only the author may edit. */
  readonly customerId: string;
  readonly rating?: number;
  readonly text?: string;
  readonly editedAt: string;
}

export interface HideReview {
  readonly type: 'HideReview';
  readonly reviewId: string;
  readonly reason: string;
  readonly hiddenAt: string;
}

export type ReviewCommand = PostReview | EditReview | HideReview;

export interface ReviewState {
  readonly status: 'none' | 'visible' | 'hidden';
  readonly authorId: string;
  readonly rating: number;
  readonly text: string;
}

/** What a review needs to know of an order: whose it is, what it holds, whether it arrived. */
export interface OrderPurchase {
  readonly customerId: string;
  readonly productIds: readonly string[];
  readonly delivered: boolean;
}

/**
 * What posting a review reads: the product (it must exist) and the caller's orders that hold it,
 * straight from their streams. Neither needs a guard: a product never stops existing, and a delivered
 * order stays delivered (nothing follows OrderDelivered), so no later append can make the decision wrong.
 */
export interface ReviewReads {
  readonly product?: { readonly exists: boolean };
  readonly orders?: ReadonlyMap<string, OrderPurchase>;
}

export const productExists: Projector<{ exists: boolean }, ProductEvent> = {
  initialState: { exists: false },
  evolve: (state, event) => (event.type === 'ProductCreated' ? { exists: true } : state),
};

export const orderPurchase: Projector<OrderPurchase, OrderEvent> = {
  initialState: { customerId: '', productIds: [], delivered: false },
  evolve(state, event) {
    switch (event.type) {
      case 'OrderPlaced':
        return { customerId: event.data.customerId, productIds: event.data.lines.map((line) => line.productId), delivered: false };
      case 'OrderDelivered':
        return { ...state, delivered: true };
      default:
        return state;
    }
  },
};

/** A product review: posted once per customer and product after a delivery, edited by its author, hidden by an admin. */
export const reviewDecider: Decider<ReviewCommand, ReviewState, ReviewEvent, ReviewReads> = {
  initialState: { status: 'none', authorId: '', rating: 0, text: '' },

  decide(command, state, reads) {
    switch (command.type) {
      case 'PostReview': {
        if (!reads.product?.exists) throw new NotFoundError('Product not found');
        if (state.status !== 'none') throw new ConflictError(REVIEW_EXISTS, 'You have already reviewed this product');
        const bought = [...(reads.orders?.values() ?? [])].some(
          (order) => order.delivered && order.customerId === command.customerId && order.productIds.includes(command.productId),
        );
        if (!bought) throw new ConflictError(REVIEW_NOT_ALLOWED, 'Only a customer with a delivered order holding this product may review it');
        const { reviewId, productId, customerId, rating, text, postedAt } = command;
        return [{ type: 'ReviewPosted', data: { reviewId, productId, customerId, rating, text, postedAt } }];
      }
      case 'EditReview': {
        if (state.status === 'none') throw new NotFoundError('Review not found');
        if (state.authorId !== command.customerId) throw new ForbiddenError('Only its author may edit a review');
        if (state.status === 'hidden') throw new ConflictError(REVIEW_HIDDEN, 'A hidden review cannot be edited');
        const rating = command.rating !== undefined && command.rating !== state.rating ? { rating: command.rating } : {};
        const text = command.text !== undefined && command.text !== state.text ? { text: command.text } : {};
        if (!('rating' in rating) && !('text' in text)) return [];
        return [{ type: 'ReviewEdited', data: { reviewId: command.reviewId, ...rating, ...text, editedAt: command.editedAt } }];
      }
      case 'HideReview': {
        if (state.status === 'none') throw new NotFoundError('Review not found');
        if (state.status === 'hidden') return [];
        return [{ type: 'ReviewHidden', data: { reviewId: command.reviewId, reason: command.reason, hiddenAt: command.hiddenAt } }];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ReviewPosted':
        return { status: 'visible', authorId: event.data.customerId, rating: event.data.rating, text: event.data.text };
      case 'ReviewEdited':
        return { ...state, rating: event.data.rating ?? state.rating, text: event.data.text ?? state.text };
      case 'ReviewHidden':
        return { ...state, status: 'hidden' };
      default:
        return unreachable(event);
    }
  },
};
