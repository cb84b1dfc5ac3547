import { describe, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { decisionSpec } from '../../event-store/decider.spec-kit.js';
import type { DiscountCodeCreated } from '../discounts/discounts.events.js';
import type { DiscountForCustomer } from '../discounts/discounts.public.js';
import { decideApplyDiscount, type ApplyDiscount } from './cart-discount.decider.js';
import { cartDecider } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';

/**
 * Putting a code on a cart (PUT /carts/:id/discount): given the cart's events, the catalog's current
 * prices and the code as it stands for this customer, when the customer applies it, then the cart
 * holds it (or the refusal says why).
 */
const cartId = 'c-1';
const inMarch = '2026-03-15T12:00:00.000Z';
const apply: ApplyDiscount = { cartId, customerId: 'alice', now: inMarch };

const created: CartEvent = { type: 'CartCreated', data: { cartId, customerId: 'alice' } };
const added = (productId: string, quantity: number): CartEvent => ({ type: 'CartItemAdded', data: { cartId, productId, quantity } });
const holding = (codeId: string, code: string): CartEvent => ({ type: 'CartDiscountApplied', data: { cartId, codeId, code } });

const code = (def: Partial<DiscountCodeCreated['data']> = {}, over: Partial<DiscountForCustomer> = {}): DiscountForCustomer => ({
  codeId: 'd-1',
  definition: { codeId: 'd-1', code: 'Spring10', kind: 'percent', value: 10, minSubtotalCents: null, startsAt: null, endsAt: null, maxRedemptions: null, maxPerCustomer: 1, ...def },
  active: true,
  redemptions: 0,
  customerRedemptions: 0,
  redemptionStream: { id: 'r-1', type: 'discount-redemptions' },
  ...over,
});
const applied = (codeId = 'd-1', text = 'Spring10'): CartEvent[] => [{ type: 'CartDiscountApplied', data: { cartId, codeId, code: text } }];

interface Given {
  readonly cart: CartEvent[];
  /** The catalog's current price of each product, by id; a product absent here is not in the catalog. */
  readonly prices?: Record<string, number>;
  readonly discount: DiscountForCustomer | null;
}

const spec = decisionSpec((given: Given, command: ApplyDiscount) => {
  const products = new Map(
    Object.entries(given.prices ?? {}).map(([productId, priceCents]) => [productId, { exists: true, sku: productId, name: productId, priceCents, available: 10 }]),
  );
  return decideApplyDiscount(command, fold(cartDecider, given.cart), products, given.discount);
});

describe('decideApplyDiscount', () => {
  it('puts the code on the cart, spelled as it was created', () => {
    spec.given({ cart: [created], discount: code() }).when(apply).then(applied());
  });

  it('replaces the code the cart holds with another; the same code again changes nothing', () => {
    spec.given({ cart: [created, holding('d-0', 'OLD')], discount: code() }).when(apply).then(applied());
    spec.given({ cart: [created, holding('d-1', 'Spring10')], discount: code() }).when(apply).then([]);
  });

  it('answers not found for a code that does not exist', () => {
    spec.given({ cart: [created], discount: null }).when(apply).thenThrows('NOT_FOUND');
  });

  it("answers not found for a missing cart or another customer's, and refuses a checked-out one", () => {
    spec.given({ cart: [], discount: code() }).when(apply).thenThrows('NOT_FOUND');
    spec.given({ cart: [created], discount: code() }).when({ ...apply, customerId: 'bob' }).thenThrows('NOT_FOUND');
    const checkedOut: CartEvent = { type: 'CartCheckedOut', data: { cartId, orderId: 'o-1' } };
    spec.given({ cart: [created, checkedOut], discount: code() }).when(apply).thenThrows('CART_CHECKED_OUT');
  });

  it("checks the minimum against the cart's lines at the catalog's current prices", () => {
    const cart = [created, added('p-1', 2), added('p-2', 1)];
    const minimum = code({ minSubtotalCents: 2500 });
    // 2 x 1000 + 500 = 2500 meets it; a cent less on p-2 does not.
    spec.given({ cart, prices: { 'p-1': 1000, 'p-2': 500 }, discount: minimum }).when(apply).then(applied());
    spec
      .given({ cart, prices: { 'p-1': 1000, 'p-2': 499 }, discount: minimum })
      .when(apply)
      .thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'below_minimum', minSubtotalCents: 2500 }]);
  });

  it('counts a line whose product the catalog does not have as nothing toward the minimum', () => {
    spec
      .given({ cart: [created, added('p-1', 2), added('p-gone', 5)], prices: { 'p-1': 1000 }, discount: code({ minSubtotalCents: 2001 }) })
      .when(apply)
      .thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'below_minimum', minSubtotalCents: 2001 }]);
  });

  it("checks the code's window at the command's time and its limits, saying why it does not apply", () => {
    const window = { startsAt: '2026-03-01T00:00:00.000Z', endsAt: '2026-04-01T00:00:00.000Z' };
    spec.given({ cart: [created], discount: code(window) }).when(apply).then(applied());
    spec.given({ cart: [created], discount: code(window) }).when({ ...apply, now: '2026-02-28T23:59:59.999Z' }).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'not_started' }]);
    spec.given({ cart: [created], discount: code(window) }).when({ ...apply, now: window.endsAt }).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'ended' }]);
    spec.given({ cart: [created], discount: code({}, { active: false }) }).when(apply).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'inactive' }]);
    spec.given({ cart: [created], discount: code({}, { customerRedemptions: 1 }) }).when(apply).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'already_used' }]);
  });
});
