import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import { discountCodeDecider, type CreateDiscountCode } from './discount-code.decider.js';
import type { DiscountCodeCreated, DiscountCodeEvent } from './discounts.events.js';
import { discountNotApplicable, discountRefusal, type DiscountForCustomer } from './discounts.public.js';

const codeId = 'd-1';
const definition: DiscountCodeCreated['data'] = {
  codeId,
  code: 'Spring10',
  kind: 'percent',
  value: 10,
  minSubtotalCents: 2000,
  startsAt: '2026-03-01T00:00:00.000Z',
  endsAt: '2026-04-01T00:00:00.000Z',
  maxRedemptions: 2,
  maxPerCustomer: 1,
};
const created: DiscountCodeEvent = { type: 'DiscountCodeCreated', data: definition };
const redeemed = (customerId: string, orderId = `o-${customerId}`): DiscountCodeEvent => ({ type: 'DiscountRedeemed', data: { codeId, orderId, customerId } });
const released = (customerId: string, orderId = `o-${customerId}`): DiscountCodeEvent => ({ type: 'DiscountRedemptionReleased', data: { codeId, orderId, customerId } });

describe('discountCodeDecider', () => {
  const { given } = deciderSpec(discountCodeDecider);
  const create: CreateDiscountCode = { type: 'CreateDiscountCode', ...definition };

  it('creates a code', () => {
    given([]).when(create).then([created]);
  });

  it('refuses a code that exists (its stream id is the code, in any case)', () => {
    given([created]).when(create).thenThrows('CODE_TAKEN');
  });

  it('deactivates once; again is nothing', () => {
    const deactivated: DiscountCodeEvent = { type: 'DiscountCodeDeactivated', data: { codeId, deactivatedAt: '2026-03-02T00:00:00.000Z' } };
    given([created]).when({ type: 'DeactivateDiscountCode', codeId, deactivatedAt: '2026-03-02T00:00:00.000Z' }).then([deactivated]);
    given([created, deactivated]).when({ type: 'DeactivateDiscountCode', codeId, deactivatedAt: '2026-03-03T00:00:00.000Z' }).then([]);
    given([]).when({ type: 'DeactivateDiscountCode', codeId, deactivatedAt: '2026-03-03T00:00:00.000Z' }).thenThrows('NOT_FOUND');
  });

  it('counts redemptions in total and per customer, and gives released ones back', () => {
    const state = fold(discountCodeDecider, [created, redeemed('alice'), redeemed('bob'), released('alice')]);
    expect([state.redemptions, state.byCustomer]).toEqual([1, { alice: 0, bob: 1 }]);
  });
});

describe('discountRefusal', () => {
  const inMarch = '2026-03-15T12:00:00.000Z';
  const discount = (overrides: Partial<DiscountForCustomer> = {}, def: Partial<DiscountCodeCreated['data']> = {}): DiscountForCustomer => ({
    codeId,
    definition: { ...definition, ...def },
    active: true,
    redemptions: 0,
    customerRedemptions: 0,
    redemptionStream: { id: codeId, type: 'discount-code' },
    ...overrides,
  });

  it('applies within its window, from its minimum, under its limits', () => {
    expect(discountRefusal(discount(), inMarch, 2000)).toBeNull();
    expect(discountRefusal(discount(), definition.startsAt!, 2000)).toBeNull();
    expect(discountRefusal(discount({}, { startsAt: null, endsAt: null, minSubtotalCents: null, maxRedemptions: null }), inMarch, 0)).toBeNull();
  });

  it('names why it does not apply, in the order a customer can act on', () => {
    expect(discountRefusal(discount({ active: false }), inMarch, 2000)).toBe('inactive');
    expect(discountRefusal(discount(), '2026-02-28T23:59:59.999Z', 2000)).toBe('not_started');
    expect(discountRefusal(discount(), definition.endsAt!, 2000)).toBe('ended');
    expect(discountRefusal(discount(), inMarch, 1999)).toBe('below_minimum');
    expect(discountRefusal(discount({ redemptions: 2 }), inMarch, 2000)).toBe('exhausted');
    expect(discountRefusal(discount({ redemptions: 1, customerRedemptions: 1 }), inMarch, 2000)).toBe('already_used');
    expect(discountRefusal(discount({ customerRedemptions: 2 }, { maxPerCustomer: 3 }), inMarch, 2000)).toBeNull();
  });

  it('refuses with DISCOUNT_NOT_APPLICABLE and the reason in details', () => {
    const error = discountNotApplicable(discount(), 'below_minimum');
    expect([error.code, error.details]).toEqual(['DISCOUNT_NOT_APPLICABLE', [{ code: 'Spring10', reason: 'below_minimum', minSubtotalCents: 2000 }]]);
  });
});
