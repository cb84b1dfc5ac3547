import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import type { OrderEvent } from '../orders/order.events.js';
import { orderPurchase, productExists, reviewDecider, type OrderPurchase, type ReviewCommand, type ReviewReads } from './review.decider.js';
import type { ReviewEvent } from './review.events.js';

const spec = deciderSpec(reviewDecider);
const reviewId = 'r-1';
const at = '2026-01-02T00:00:00.000Z';

const delivered = (over: Partial<OrderPurchase> = {}): OrderPurchase => ({ customerId: 'alice', productIds: ['p-1'], delivered: true, ...over });
const reads = (...orders: OrderPurchase[]): ReviewReads => ({ product: { exists: true }, orders: new Map(orders.map((order, i) => [`o-${i}`, order])) });

const post: ReviewCommand = { type: 'PostReview', reviewId, productId: 'p-1', customerId: 'alice', rating: 4, text: 'Good mug', postedAt: at };
const posted: ReviewEvent = { type: 'ReviewPosted', data: { reviewId, productId: 'p-1', customerId: 'alice', rating: 4, text: 'Good mug', postedAt: at } };
const hidden: ReviewEvent = { type: 'ReviewHidden', data: { reviewId, reason: 'spam', hiddenAt: at } };
const edit = (change: { rating?: number; text?: string }, customerId = 'alice'): ReviewCommand => ({ type: 'EditReview', reviewId, customerId, ...change, editedAt: at });

describe('the review decider', () => {
  describe('posting', () => {
    it('accepts the customer of a delivered order holding the product', () => {
      spec.given([], reads(delivered())).when(post).then([posted]);
    });

    it('accepts when any one of several orders qualifies', () => {
      spec.given([], reads(delivered({ delivered: false }), delivered({ productIds: ['p-2', 'p-1'] }))).when(post).then([posted]);
    });

    it('refuses without a delivered order holding the product, whoever else has one', () => {
      spec.given([], reads()).when(post).thenThrows('REVIEW_NOT_ALLOWED');
      spec.given([], reads(delivered({ delivered: false }))).when(post).thenThrows('REVIEW_NOT_ALLOWED');
      spec.given([], reads(delivered({ productIds: ['p-2'] }))).when(post).thenThrows('REVIEW_NOT_ALLOWED');
      spec.given([], reads(delivered({ customerId: 'bob' }))).when(post).thenThrows('REVIEW_NOT_ALLOWED');
    });

    it('refuses a second review of the same product by the same customer, even a hidden one', () => {
      spec.given([posted], reads(delivered())).when(post).thenThrows('REVIEW_EXISTS');
      spec.given([posted, hidden], reads(delivered())).when(post).thenThrows('REVIEW_EXISTS');
    });

    it('answers NOT_FOUND for a product the catalog never had, before anything else', () => {
      spec.given([posted], { product: { exists: false }, orders: new Map() }).when(post).thenThrows('NOT_FOUND');
    });
  });

  describe('editing', () => {
    it('lets the author change the rating, the text or both, recording only what changed', () => {
      spec.given([posted]).when(edit({ rating: 5 })).then([{ type: 'ReviewEdited', data: { reviewId, rating: 5, editedAt: at } }]);
      spec.given([posted]).when(edit({ rating: 4, text: 'Great mug' })).then([{ type: 'ReviewEdited', data: { reviewId, text: 'Great mug', editedAt: at } }]);
      spec.given([posted]).when(edit({ rating: 2, text: 'Chipped' })).then([{ type: 'ReviewEdited', data: { reviewId, rating: 2, text: 'Chipped', editedAt: at } }]);
    });

    it('appends nothing when nothing changes', () => {
      spec.given([posted]).when(edit({})).then([]);
      spec.given([posted]).when(edit({ rating: 4, text: 'Good mug' })).then([]);
    });

    it('refuses anyone but the author, a hidden review, and a review that does not exist', () => {
      spec.given([posted]).when(edit({ rating: 1 }, 'bob')).thenThrows('FORBIDDEN');
      spec.given([posted, hidden]).when(edit({ rating: 1 })).thenThrows('REVIEW_HIDDEN');
      spec.given([]).when(edit({ rating: 1 })).thenThrows('NOT_FOUND');
    });
  });

  describe('hiding', () => {
    const hide: ReviewCommand = { type: 'HideReview', reviewId, reason: 'spam', hiddenAt: at };

    it('hides a visible review once; hiding again changes nothing', () => {
      spec.given([posted]).when(hide).then([hidden]);
      spec.given([posted, hidden]).when(hide).then([]);
    });

    it('answers NOT_FOUND for a review that does not exist', () => {
      spec.given([]).when(hide).thenThrows('NOT_FOUND');
    });
  });

  it('folds an edit over the posted review, keeping what the edit left out', () => {
    const state = fold(reviewDecider, [posted, { type: 'ReviewEdited', data: { reviewId, text: 'Fine', editedAt: at } }]);
    expect(state).toEqual({ status: 'visible', authorId: 'alice', rating: 4, text: 'Fine' });
  });
});

describe('what a review reads of other streams', () => {
  const line = { productId: 'p-1', sku: 'MUG', name: 'Mug', quantity: 1, unitPriceCents: 100 };
  const address = { name: 'A', line1: '1 St', city: 'C', postalCode: '1', country: 'GB' };
  const placed = {
    type: 'OrderPlaced',
    data: { orderId: 'o', cartId: 'c', customerId: 'alice', lines: [line], totalCents: 100, currency: 'USD', shippingAddress: address, placedAt: at },
  } as const satisfies OrderEvent;

  it('an order is a purchase of its lines by its customer, delivered once OrderDelivered is in its stream', () => {
    expect(fold(orderPurchase, [placed])).toEqual({ customerId: 'alice', productIds: ['p-1'], delivered: false });
    const paid: OrderEvent = { type: 'OrderPaid', data: { orderId: 'o', amountCents: 100, paymentReference: 'x', paidAt: at } };
    const arrived: OrderEvent = { type: 'OrderDelivered', data: { orderId: 'o', deliveredAt: at } };
    expect(fold(orderPurchase, [placed, paid, arrived]).delivered).toBe(true);
  });

  it('a product exists once created', () => {
    expect(fold(productExists, []).exists).toBe(false);
    expect(fold(productExists, [{ type: 'ProductCreated', data: { productId: 'p', sku: 'S', name: 'N', description: '', priceCents: 1, stock: 0 } }]).exists).toBe(true);
  });
});
