import type { NewEvent } from '../../event-store/event.js';

/**
 * The discounts module's events: its public contract. A code is one stream (`discount-code`), whose id
 * is derived from the code (see discounts.public.ts), so a code is unique case-insensitively by its
 * stream alone and found from what a customer types without any lookup table.
 *
 * Redemptions are appended by checkout, atomically with the order, to the stream that guards the code's
 * limits: the code's own stream when it has a total limit (every checkout with it then meets at that
 * stream's version, which is what makes the limit exact), else the customer's redemptions of the code
 * (`discount-redemptions`, one stream per code and customer), so an unlimited code is no hot spot.
 */
export const DISCOUNT_CODE_STREAM = 'discount-code';
export const DISCOUNT_REDEMPTIONS_STREAM = 'discount-redemptions';

export type DiscountKind = 'percent' | 'fixed';

/**
 * `code` as the admin wrote it; `value` is a percentage (1..100) or cents (fixed); times are ISO 8601
 * UTC; null is "no such limit".
 */
export type DiscountCodeCreated = NewEvent<
  'DiscountCodeCreated',
  {
    codeId: string;
    code: string;
    kind: DiscountKind;
    value: number;
    minSubtotalCents: number | null;
    startsAt: string | null;
    endsAt: string | null;
    maxRedemptions: number | null;
    maxPerCustomer: number;
  }
>;

export type DiscountCodeDeactivated = NewEvent<'DiscountCodeDeactivated', { codeId: string; deactivatedAt: string }>;

/** An order was placed with the code. */
export type DiscountRedeemed = NewEvent<'DiscountRedeemed', { codeId: string; orderId: string; customerId: string }>;

/** The order that redeemed the code was cancelled (by anyone, or by the payment timeout): the use is given back. */
export type DiscountRedemptionReleased = NewEvent<'DiscountRedemptionReleased', { codeId: string; orderId: string; customerId: string }>;

export type DiscountRedemptionEvent = DiscountRedeemed | DiscountRedemptionReleased;

export type DiscountCodeEvent = DiscountCodeCreated | DiscountCodeDeactivated | DiscountRedemptionEvent;
