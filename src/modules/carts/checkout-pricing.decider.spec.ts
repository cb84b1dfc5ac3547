import { describe, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { decisionSpec } from '../../event-store/decider.spec-kit.js';
import type { ProductEvent } from '../catalog/product.events.js';
import type { DiscountCodeCreated } from '../discounts/discounts.events.js';
import type { DiscountForCustomer } from '../discounts/discounts.public.js';
import type { ShippingMethodEvent, TaxRateEvent } from '../shipping/shipping.events.js';
import { shippingMethodsView, taxRatesView } from '../shipping/shipping.public.js';
import { cartDecider } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';
import { decideCheckout, productView, type CheckoutCommand, type CheckoutDecision } from './checkout.decider.js';

/**
 * Checkout's pricing: the contract's totals formulas at their rounding edges, the shipping method rules
 * and the discount's last check. Given the streams checkout reads, when it checks out, then these totals
 * (or this refusal).
 */
const cartId = 'c-1';
const orderId = 'o-1';
const placedAt = '2026-03-15T12:00:00.000Z';
const address = { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' };
const command: CheckoutCommand = { cartId, orderId, customerId: 'alice', placedAt, currency: 'USD', shippingAddress: address };
const withMethod = (shippingMethodId: string): CheckoutCommand => ({ ...command, shippingMethodId });

const method = (methodId: string, priceCents: number, freeOverCents: number | null, countries = ['GB']): ShippingMethodEvent => ({
  type: 'ShippingMethodCreated',
  data: { methodId, code: methodId.toUpperCase(), name: `Method ${methodId}`, priceCents, freeOverCents, countries },
});
const rate = (country: string, rateBasisPoints: number): TaxRateEvent => ({ type: 'TaxRateSet', data: { country, rateBasisPoints } });
const code = (kind: 'percent' | 'fixed', value: number, overrides: Partial<DiscountForCustomer> = {}, def: Partial<DiscountCodeCreated['data']> = {}): DiscountForCustomer => ({
  codeId: 'd-1',
  definition: { codeId: 'd-1', code: 'SAVE', kind, value, minSubtotalCents: null, startsAt: null, endsAt: null, maxRedemptions: 10, maxPerCustomer: 1, ...def },
  active: true,
  redemptions: 0,
  customerRedemptions: 0,
  redemptionStream: { id: 'd-1', type: 'discount-code' },
  ...overrides,
});

interface Given {
  /** One line: `quantity` of a product at `priceCents`. */
  readonly priceCents: number;
  readonly quantity?: number;
  readonly shipping?: ShippingMethodEvent[];
  readonly tax?: TaxRateEvent[];
  readonly discount?: DiscountForCustomer;
}

function decide(given: Given, when: CheckoutCommand): CheckoutDecision {
  const cartEvents: CartEvent[] = [
    { type: 'CartCreated', data: { cartId, customerId: 'alice' } },
    { type: 'CartItemAdded', data: { cartId, productId: 'p-1', quantity: given.quantity ?? 1 } },
    ...(given.discount ? [{ type: 'CartDiscountApplied' as const, data: { cartId, codeId: given.discount.codeId, code: 'SAVE' } }] : []),
  ];
  const product: ProductEvent = { type: 'ProductCreated', data: { productId: 'p-1', sku: 'P1', name: 'P1', description: '', priceCents: given.priceCents, stock: Math.max(1000, given.quantity ?? 1) } };
  return decideCheckout(when, fold(cartDecider, cartEvents), new Map([['p-1', fold(productView, [product])]]), {
    shippingMethods: fold(shippingMethodsView, given.shipping ?? []),
    taxRates: fold(taxRatesView, given.tax ?? []),
    discount: given.discount ?? null,
  });
}

/** The order's pricing fields, as OrderPlaced records them. */
const pricing = decisionSpec((given: Given, when: CheckoutCommand) => {
  const placed = decide(given, when).order[0];
  if (placed.type !== 'OrderPlaced') throw new Error('no OrderPlaced');
  const { subtotalCents, discountCents, discountCode, shippingMethod, shippingCents, taxRateBasisPoints, taxCents, totalCents } = placed.data;
  return { subtotalCents, discountCents, discountCode, shippingMethod, shippingCents, taxRateBasisPoints, taxCents, totalCents };
});
const totals = (subtotal: number, discount: number, shipping: number, rateBp: number, tax: number, extra: object = {}) => ({
  subtotalCents: subtotal,
  discountCents: discount,
  discountCode: undefined,
  shippingMethod: undefined,
  shippingCents: shipping,
  taxRateBasisPoints: rateBp,
  taxCents: tax,
  totalCents: subtotal - discount + shipping + tax,
  ...extra,
});
const saveCode = { discountCode: { id: 'd-1', code: 'SAVE', redemptionStreamId: 'd-1' } };
const std = { shippingMethod: { id: 'm-1', code: 'M-1', name: 'Method m-1' } };

describe('checkout totals', () => {
  it('rounds a percent discount half up at exactly .5 cent, and down below it', () => {
    // 10% of 1005 is 100.5 -> 101; 10% of 1004 is 100.4 -> 100.
    pricing.given({ priceCents: 1005, discount: code('percent', 10) }).when(command).then(totals(1005, 101, 0, 0, 0, saveCode));
    pricing.given({ priceCents: 1004, discount: code('percent', 10) }).when(command).then(totals(1004, 100, 0, 0, 0, saveCode));
  });

  it('rounds tax half up at exactly .5 cent, and down below it', () => {
    // 12.5% of 1004 is 125.5 -> 126; of 1003 it is 125.375 -> 125.
    pricing.given({ priceCents: 1004, tax: [rate('GB', 1250)] }).when(command).then(totals(1004, 0, 0, 1250, 126));
    pricing.given({ priceCents: 1003, tax: [rate('GB', 1250)] }).when(command).then(totals(1003, 0, 0, 1250, 125));
  });

  it('taxes merchandise after discount plus shipping', () => {
    // (2000 - 200 + 499) x 20% = 459.8 -> 460.
    pricing
      .given({ priceCents: 1000, quantity: 2, shipping: [method('m-1', 499, null)], tax: [rate('GB', 2000)], discount: code('percent', 10) })
      .when(withMethod('m-1'))
      .then(totals(2000, 200, 499, 2000, 460, { ...saveCode, ...std }));
  });

  it('ships free when the subtotal after discount meets the threshold exactly, not a cent below', () => {
    const shipping = [method('m-1', 499, 4500)];
    pricing.given({ priceCents: 5000, shipping, discount: code('fixed', 500) }).when(withMethod('m-1')).then(totals(5000, 500, 0, 0, 0, { ...saveCode, ...std }));
    pricing.given({ priceCents: 5000, shipping, discount: code('fixed', 501) }).when(withMethod('m-1')).then(totals(5000, 501, 499, 0, 0, { ...saveCode, ...std }));
  });

  it('takes a 100% discount down to shipping and its tax alone', () => {
    pricing
      .given({ priceCents: 3333, shipping: [method('m-1', 500, null)], tax: [rate('GB', 2000)], discount: code('percent', 100) })
      .when(withMethod('m-1'))
      .then(totals(3333, 3333, 500, 2000, 100, { ...saveCode, ...std }));
  });

  it('never discounts a fixed amount above the subtotal', () => {
    pricing.given({ priceCents: 700, discount: code('fixed', 1000) }).when(command).then(totals(700, 700, 0, 0, 0, saveCode));
  });

  it('charges no tax at a zero rate, nor for a country without a rate', () => {
    pricing.given({ priceCents: 999, tax: [rate('GB', 0)] }).when(command).then(totals(999, 0, 0, 0, 0));
    pricing.given({ priceCents: 999, tax: [rate('FR', 2000)] }).when(command).then(totals(999, 0, 0, 0, 0));
  });

  it('stays exact at the size of the largest cart (10^13 cents) and the largest rate', () => {
    // Subtotal x rate passes 2^53 here; the rounding is computed in BigInt.
    pricing.given({ priceCents: 100_000_000, quantity: 100_000, tax: [rate('GB', 10_000)] }).when(command).then(totals(10_000_000_000_000, 0, 0, 10_000, 10_000_000_000_000));
    pricing.given({ priceCents: 99_999_999, quantity: 100_000, tax: [rate('GB', 3333)] }).when(command).then(totals(9_999_999_900_000, 0, 0, 3333, 3_332_999_966_670));
  });
});

describe('checkout shipping and discount rules', () => {
  const decision = decisionSpec(decide);

  it('requires a shipping method (400) when an active one serves the country, and ships free when none does', () => {
    decision.given({ priceCents: 100, shipping: [method('m-1', 499, null)] }).when(command).thenThrows('VALIDATION_FAILED', [
      { field: 'shippingMethodId', message: 'shippingMethodId is required: shipping methods serve GB' },
    ]);
    pricing.given({ priceCents: 100, shipping: [method('m-1', 499, null, ['FR'])] }).when(command).then(totals(100, 0, 0, 0, 0));
  });

  it('refuses a method that is inactive, does not serve the country or does not exist', () => {
    const details = [{ shippingMethodId: 'm-1', country: 'GB' }];
    const off: ShippingMethodEvent = { type: 'ShippingMethodChanged', data: { methodId: 'm-1', active: false } };
    decision.given({ priceCents: 100, shipping: [method('m-1', 499, null), off] }).when(withMethod('m-1')).thenThrows('SHIPPING_METHOD_NOT_AVAILABLE', details);
    decision.given({ priceCents: 100, shipping: [method('m-1', 499, null, ['FR'])] }).when(withMethod('m-1')).thenThrows('SHIPPING_METHOD_NOT_AVAILABLE', details);
    decision.given({ priceCents: 100 }).when(withMethod('m-1')).thenThrows('SHIPPING_METHOD_NOT_AVAILABLE', details);
  });

  it('redeems the code on the stream that guards its limits, with the order', () => {
    const { redemption } = decide({ priceCents: 100, discount: code('fixed', 10) }, command);
    decisionSpec(() => redemption)
      .given(null)
      .when(null)
      .then({ streamId: 'd-1', streamType: 'discount-code', events: [{ type: 'DiscountRedeemed', data: { codeId: 'd-1', orderId, customerId: 'alice' } }] });
  });

  it('refuses a code that stopped applying since it was put on the cart, saying why', () => {
    decision.given({ priceCents: 100, discount: code('fixed', 10, { redemptions: 10 }) }).when(command).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'SAVE', reason: 'exhausted' }]);
    decision.given({ priceCents: 100, discount: code('fixed', 10, { customerRedemptions: 1 }) }).when(command).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'SAVE', reason: 'already_used' }]);
    decision.given({ priceCents: 100, discount: code('fixed', 10, { active: false }) }).when(command).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'SAVE', reason: 'inactive' }]);
    decision.given({ priceCents: 100, discount: code('fixed', 10, {}, { endsAt: placedAt }) }).when(command).thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'SAVE', reason: 'ended' }]);
    decision
      .given({ priceCents: 100, discount: code('fixed', 10, {}, { minSubtotalCents: 101 }) })
      .when(command)
      .thenThrows('DISCOUNT_NOT_APPLICABLE', [{ code: 'SAVE', reason: 'below_minimum', minSubtotalCents: 101 }]);
  });
});
