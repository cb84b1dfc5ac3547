import { NotFoundError } from '../../event-store/errors.js';
import { discountNotApplicable, discountRefusal, type DiscountForCustomer } from '../discounts/discounts.public.js';
import { assertOpenCartOf, type CartState } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';
import { subtotalOf } from './checkout-totals.js';
import type { ProductView } from './checkout.decider.js';

export interface ApplyDiscount {
  readonly cartId: string;
  /** The acting customer. */
  readonly customerId: string;
  /** ISO 8601 UTC: the code's window is checked against it. */
  readonly now: string;
}

/**
 * Puts a code on the cart if it applies now to the cart at current prices (its minimum, window and
 * limits). Advisory: checkout checks it again, against its own clock, prices and the limits' streams.
 * `discount` is null for a code that does not exist.
 */
export function decideApplyDiscount(
  command: ApplyDiscount,
  cart: CartState,
  products: ReadonlyMap<string, ProductView>,
  discount: DiscountForCustomer | null,
): CartEvent[] {
  assertOpenCartOf(cart, { customerId: command.customerId });
  if (!discount) throw new NotFoundError('Discount code not found');
  const lines = cart.lines.map(({ productId, quantity }) => ({ quantity, unitPriceCents: products.get(productId)?.priceCents ?? 0 }));
  const refusal = discountRefusal(discount, command.now, subtotalOf(lines));
  if (refusal) throw discountNotApplicable(discount, refusal);
  if (cart.discount?.codeId === discount.codeId) return [];
  return [{ type: 'CartDiscountApplied', data: { cartId: command.cartId, codeId: discount.codeId, code: discount.definition.code } }];
}
