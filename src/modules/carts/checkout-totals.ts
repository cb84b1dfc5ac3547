import { orderTotal } from '../orders/order.events.js';

/**
 * The contract's order totals (shared/spec/api.md, Carts), in integer cents, rounding half up at each
 * step. Pure; checkout's decider and the cart's read side both use it, so they cannot disagree.
 */

export interface TotalsInput {
  readonly lines: ReadonlyArray<{ readonly quantity: number; readonly unitPriceCents: number }>;
  readonly discount: { readonly kind: 'percent' | 'fixed'; readonly value: number } | null;
  readonly shipping: { readonly priceCents: number; readonly freeOverCents: number | null } | null;
  /** The shipping country's rate; 0 when it has none. */
  readonly taxRateBasisPoints: number;
}

export interface OrderTotals {
  readonly subtotalCents: number;
  readonly discountCents: number;
  readonly shippingCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

/**
 * round(numerator / denominator) half up, for non-negative integers. In BigInt: a subtotal reaches 10^13
 * (cart bounds), and times a tax rate of 10^4 that passes 2^53, where a JS number stops being exact.
 */
function divideHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}

/** Sum of quantity x unit price (exact: see orderTotal). */
export function subtotalOf(lines: TotalsInput['lines']): number {
  return orderTotal(lines);
}

/** percent: round(subtotal x value / 100); fixed: value; never above the subtotal. */
export function discountOf(subtotalCents: number, discount: TotalsInput['discount']): number {
  if (!discount) return 0;
  const amount = discount.kind === 'percent' ? divideHalfUp(BigInt(subtotalCents) * BigInt(discount.value), 100n) : discount.value;
  return Math.min(amount, subtotalCents);
}

export function orderTotals({ lines, discount, shipping, taxRateBasisPoints }: TotalsInput): OrderTotals {
  const subtotalCents = subtotalOf(lines);
  const discountCents = discountOf(subtotalCents, discount);
  const afterDiscount = subtotalCents - discountCents;
  const isFree = !shipping || (shipping.freeOverCents !== null && afterDiscount >= shipping.freeOverCents);
  const shippingCents = isFree ? 0 : shipping.priceCents;
  const taxCents = divideHalfUp(BigInt(afterDiscount + shippingCents) * BigInt(taxRateBasisPoints), 10_000n);
  return { subtotalCents, discountCents, shippingCents, taxCents, totalCents: afterDiscount + shippingCents + taxCents };
}
