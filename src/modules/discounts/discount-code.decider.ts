import { unreachable, type Decider, type Projector } from '../../event-store/decider.js';
import { ConflictError, NotFoundError } from '../../event-store/errors.js';
import type { DiscountCodeCreated, DiscountCodeEvent, DiscountKind, DiscountRedemptionEvent } from './discounts.events.js';

export interface CreateDiscountCode {
  readonly type: 'CreateDiscountCode';
  readonly codeId: string;
  readonly code: string;
  readonly kind: DiscountKind;
  readonly value: number;
  readonly minSubtotalCents: number | null;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly maxRedemptions: number | null;
  readonly maxPerCustomer: number;
}

export interface DeactivateDiscountCode {
  readonly type: 'DeactivateDiscountCode';
  readonly codeId: string;
  readonly deactivatedAt: string;
}

export type DiscountCodeCommand = CreateDiscountCode | DeactivateDiscountCode;

export interface DiscountCodeState {
  readonly exists: boolean;
  /** The definition, as created (null before). */
  readonly definition: DiscountCodeCreated['data'] | null;
  readonly active: boolean;
  /**
   * Redemptions recorded on this stream, in total and per customer: only a code with a total limit
   * records them here (see discounts.events.ts).
   */
  readonly redemptions: number;
  readonly byCustomer: Readonly<Record<string, number>>;
}

const initialState: DiscountCodeState = { exists: false, definition: null, active: false, redemptions: 0, byCustomer: {} };

function decide(command: DiscountCodeCommand, state: DiscountCodeState): DiscountCodeEvent[] {
  switch (command.type) {
    case 'CreateDiscountCode': {
      if (state.exists) throw new ConflictError('CODE_TAKEN', `Discount code ${command.code} is already taken`);
      const { type: _type, ...data } = command;
      return [{ type: 'DiscountCodeCreated', data }];
    }
    case 'DeactivateDiscountCode':
      if (!state.exists) throw new NotFoundError('Discount code not found');
      if (!state.active) return [];
      return [{ type: 'DiscountCodeDeactivated', data: { codeId: command.codeId, deactivatedAt: command.deactivatedAt } }];
    default:
      return unreachable(command);
  }
}

function evolve(state: DiscountCodeState, event: DiscountCodeEvent): DiscountCodeState {
  switch (event.type) {
    case 'DiscountCodeCreated':
      return { ...state, exists: true, definition: event.data, active: true };
    case 'DiscountCodeDeactivated':
      return { ...state, active: false };
    case 'DiscountRedeemed':
    case 'DiscountRedemptionReleased': {
      const step = event.type === 'DiscountRedeemed' ? 1 : -1;
      const { customerId } = event.data;
      return { ...state, redemptions: state.redemptions + step, byCustomer: { ...state.byCustomer, [customerId]: (state.byCustomer[customerId] ?? 0) + step } };
    }
    default:
      return unreachable(event);
  }
}

export const discountCodeDecider: Decider<DiscountCodeCommand, DiscountCodeState, DiscountCodeEvent> = { initialState, decide, evolve };

/** One customer's redemptions of a code without a total limit (their own stream). */
export interface CustomerRedemptionsState {
  readonly redemptions: number;
}

export const customerRedemptionsProjector: Projector<CustomerRedemptionsState, DiscountRedemptionEvent> = {
  initialState: { redemptions: 0 },
  evolve: (state, event) => ({ redemptions: state.redemptions + (event.type === 'DiscountRedeemed' ? 1 : -1) }),
};
