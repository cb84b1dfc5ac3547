import { v5 as uuidv5 } from 'uuid';
import type { CommandSession } from '../../event-store/command-runner.js';
import { ConflictError } from '../../event-store/errors.js';
import type { NewEvent } from '../../event-store/event.js';
import { customerRedemptionsProjector, discountCodeDecider, type DiscountCodeState } from './discount-code.decider.js';
import { DISCOUNT_CODE_STREAM, DISCOUNT_REDEMPTIONS_STREAM, type DiscountCodeCreated, type DiscountRedeemed } from './discounts.events.js';

/**
 * The discounts module's public contract for carts and checkout: find a code from what a customer
 * typed, load what deciding on it needs, say whether it applies and record its redemption. The rules
 * stay here; the carts module only calls them.
 */

/**
 * The discounts' read model, for a cart's GET: its name (for `@UsesReadModels`) and its table, keyed by
 * `id` (uuid, the code's id). Public columns: `kind` (text), `value` (integer).
 */
export const DISCOUNTS_READ_MODEL = 'discounts';
export const DISCOUNT_CODES_TABLE = 'discount_codes_view';

/** Namespaces of the derived stream ids (UUID v5): fixed forever, or codes would move streams. */
const CODE_NAMESPACE = '593865ae-717e-4602-bbce-e5fb3e54e7a0';
const REDEMPTIONS_NAMESPACE = '9b3e6f4d-acb7-4ef5-928e-92f699d26bf5';

/** The stream (and id) of a code, from the code in any case. */
export function discountCodeId(code: string): string {
  return uuidv5(code.toLowerCase(), CODE_NAMESPACE);
}

/** What deciding on a code for one customer needs. */
export interface DiscountForCustomer {
  readonly codeId: string;
  readonly definition: DiscountCodeCreated['data'];
  readonly active: boolean;
  /** All redemptions so far; counted only for a code with a total limit (else 0). */
  readonly redemptions: number;
  readonly customerRedemptions: number;
  /** Where this customer's redemption goes, and the version it was read at (the session knows it). */
  readonly redemptionStream: { readonly id: string; readonly type: string };
}

/**
 * Loads the code and, for a code without a total limit, the customer's redemptions of it, through the
 * command's session: an append then carries the versions they were read at, so a concurrent redemption
 * makes it decide again. Null when the code does not exist.
 */
export async function loadDiscountFor(session: CommandSession, codeId: string, customerId: string): Promise<DiscountForCustomer | null> {
  const { state } = await session.load(discountCodeDecider, codeId, { streamType: DISCOUNT_CODE_STREAM });
  if (!state.exists || !state.definition) return null;
  const base = { codeId, definition: state.definition, active: state.active, redemptions: state.redemptions };
  if (state.definition.maxRedemptions !== null) {
    return { ...base, customerRedemptions: state.byCustomer[customerId] ?? 0, redemptionStream: { id: codeId, type: DISCOUNT_CODE_STREAM } };
  }
  const id = uuidv5(`${codeId}/${customerId}`, REDEMPTIONS_NAMESPACE);
  const mine = await session.load(customerRedemptionsProjector, id, { streamType: DISCOUNT_REDEMPTIONS_STREAM });
  return { ...base, customerRedemptions: mine.state.redemptions, redemptionStream: { id, type: DISCOUNT_REDEMPTIONS_STREAM } };
}

export type DiscountRefusal = 'inactive' | 'not_started' | 'ended' | 'below_minimum' | 'exhausted' | 'already_used';

const REFUSAL_TEXT: Record<DiscountRefusal, string> = {
  inactive: 'has been deactivated',
  not_started: 'is not valid yet',
  ended: 'has expired',
  below_minimum: 'needs a higher subtotal',
  exhausted: 'has been used up',
  already_used: 'has already been used by this customer as often as it may be',
};

/** Why the code does not apply at `now` (ISO time) to a subtotal, or null when it does. */
export function discountRefusal(discount: DiscountForCustomer, now: string, subtotalCents: number): DiscountRefusal | null {
  const { definition: d } = discount;
  if (!discount.active) return 'inactive';
  if (d.startsAt !== null && Date.parse(now) < Date.parse(d.startsAt)) return 'not_started';
  if (d.endsAt !== null && Date.parse(now) >= Date.parse(d.endsAt)) return 'ended';
  if (d.minSubtotalCents !== null && subtotalCents < d.minSubtotalCents) return 'below_minimum';
  if (d.maxRedemptions !== null && discount.redemptions >= d.maxRedemptions) return 'exhausted';
  if (discount.customerRedemptions >= d.maxPerCustomer) return 'already_used';
  return null;
}

/** The 409 for a code that does not apply; `details` say why, for clients to show. */
export function discountNotApplicable(discount: DiscountForCustomer, reason: DiscountRefusal): ConflictError {
  const { code, minSubtotalCents } = discount.definition;
  return new ConflictError('DISCOUNT_NOT_APPLICABLE', `Discount code ${code} ${REFUSAL_TEXT[reason]}`, [
    { code, reason, ...(reason === 'below_minimum' && { minSubtotalCents }) },
  ]);
}

/** The redemption checkout appends with the order, to the stream that guards the code's limits. */
export function redemptionOf(discount: DiscountForCustomer, orderId: string, customerId: string): { streamId: string; streamType: string; events: NewEvent[] } {
  const redeemed: DiscountRedeemed = { type: 'DiscountRedeemed', data: { codeId: discount.codeId, orderId, customerId } };
  return { streamId: discount.redemptionStream.id, streamType: discount.redemptionStream.type, events: [redeemed] };
}

/** The stream type of a redemption stream id recorded on an order (the code's own, or the customer's). */
export function redemptionStreamType(codeId: string, redemptionStreamId: string): string {
  return redemptionStreamId === codeId ? DISCOUNT_CODE_STREAM : DISCOUNT_REDEMPTIONS_STREAM;
}

export type { DiscountCodeState };
