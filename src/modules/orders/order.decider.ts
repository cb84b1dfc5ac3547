import { unreachable, type Decider, type NoReads, type SpanningDecision } from '../../event-store/decider.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../event-store/errors.js';
import { PRODUCT_STREAM, type ProductEvent } from '../catalog/product.events.js';
import type { DiscountRedemptionReleased } from '../discounts/discounts.events.js';
import { redemptionStreamType } from '../discounts/discounts.public.js';
import type { OrderEvent, OrderLine, OrderPlaced } from './order.events.js';

export interface OrderActor {
  readonly customerId: string;
  readonly isAdmin: boolean;
}

export interface PayOrder {
  readonly type: 'PayOrder';
  readonly orderId: string;
  readonly amountCents: number;
  readonly paymentReference: string;
  readonly paidAt: string;
  readonly actor: OrderActor;
}

export interface ShipOrder {
  readonly type: 'ShipOrder';
  readonly orderId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly shippedAt: string;
  readonly actor: OrderActor;
}

export interface DeliverOrder {
  readonly type: 'DeliverOrder';
  readonly orderId: string;
  readonly deliveredAt: string;
  readonly actor: OrderActor;
}

export interface CancelOrder {
  readonly type: 'CancelOrder';
  readonly orderId: string;
  readonly reason: string;
  readonly cancelledAt: string;
  readonly actor: OrderActor;
}

/** The system's, when an order's time to pay is up: cancels it if it is still placed, else changes nothing. */
export interface ExpireOrder {
  readonly type: 'ExpireOrder';
  readonly orderId: string;
  readonly expiredAt: string;
  readonly actor: OrderActor;
}

/** Why an order that was never paid was cancelled (the contract's `cancelReason`). */
export const PAYMENT_TIMEOUT_REASON = 'payment timeout';

/** Orders are opened by checkout (carts module), so there is no PlaceOrder command here. */
export type OrderCommand = PayOrder | ShipOrder | DeliverOrder | CancelOrder | ExpireOrder;

export type OrderStatus = 'none' | 'placed' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

export interface OrderState {
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  /** The code the order redeemed, if any (given back when it is cancelled). */
  readonly discountCode: OrderPlaced['data']['discountCode'] | null;
}

const initialState: OrderState = { status: 'none', customerId: '', lines: [], totalCents: 0, currency: '', discountCode: null };

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  // Another customer's order answers as a missing one: its existence is not revealed.
  if (state.status === 'none' || (!command.actor.isAdmin && command.actor.customerId !== state.customerId)) {
    throw new NotFoundError('Order not found');
  }
  switch (command.type) {
    case 'PayOrder': {
      if (state.status !== 'placed') throw new ConflictError('ORDER_NOT_PAYABLE', `An order that is ${state.status} cannot be paid`);
      if (command.amountCents !== state.totalCents) {
        throw new ConflictError('PAYMENT_AMOUNT_MISMATCH', `The payment must be exactly the order total of ${state.totalCents}`, [
          { expectedCents: state.totalCents, amountCents: command.amountCents },
        ]);
      }
      const { orderId, amountCents, paymentReference, paidAt } = command;
      return [{ type: 'OrderPaid', data: { orderId, amountCents, paymentReference, paidAt } }];
    }
    case 'ShipOrder': {
      if (!command.actor.isAdmin) throw new ForbiddenError('Only an admin can ship an order');
      if (state.status !== 'paid') throw new ConflictError('ORDER_NOT_SHIPPABLE', `An order that is ${state.status} cannot be shipped`);
      const { orderId, carrier, trackingNumber, shippedAt } = command;
      return [{ type: 'OrderShipped', data: { orderId, carrier, trackingNumber, shippedAt } }];
    }
    case 'DeliverOrder': {
      if (!command.actor.isAdmin) throw new ForbiddenError('Only an admin can mark an order delivered');
      if (state.status !== 'shipped') {
        throw new ConflictError('ORDER_NOT_DELIVERABLE', `An order that is ${state.status} cannot be delivered`);
      }
      return [{ type: 'OrderDelivered', data: { orderId: command.orderId, deliveredAt: command.deliveredAt } }];
    }
    case 'CancelOrder': {
      if (state.status !== 'placed' && state.status !== 'paid') {
        throw new ConflictError('ORDER_NOT_CANCELLABLE', `An order that is ${state.status} cannot be cancelled`);
      }
      const { orderId, reason, cancelledAt } = command;
      return [{ type: 'OrderCancelled', data: { orderId, reason, cancelledAt } }];
    }
    case 'ExpireOrder':
      // Paid or cancelled in time (or since): there is nothing left to expire, and that is no error.
      if (state.status !== 'placed') return [];
      return [{ type: 'OrderCancelled', data: { orderId: command.orderId, reason: PAYMENT_TIMEOUT_REASON, cancelledAt: command.expiredAt } }];
    default:
      return unreachable(command);
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { customerId, lines, totalCents, currency, discountCode } = event.data;
      return { status: 'placed', customerId, lines, totalCents, currency, discountCode: discountCode ?? null };
    }
    case 'OrderPaid':
      return { ...state, status: 'paid' };
    case 'OrderShipped':
      return { ...state, status: 'shipped' };
    case 'OrderDelivered':
      return { ...state, status: 'delivered' };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled' };
    default:
      return unreachable(event);
  }
}

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = { initialState, decide, evolve };

/**
 * What the order's new events do to the catalog's stock: cancelling releases the reservation, shipping
 * takes the items off the shelf (appended by orderWithStockDecider, below).
 */
export function stockMovements(state: OrderState, events: readonly OrderEvent[]): Array<{ productId: string; events: ProductEvent[] }> {
  const movements = new Map<string, ProductEvent[]>();
  const add = (productId: string, event: ProductEvent) => {
    const list = movements.get(productId);
    if (list) list.push(event);
    else movements.set(productId, [event]);
  };
  for (const event of events) {
    switch (event.type) {
      case 'OrderCancelled':
        for (const { productId, quantity } of state.lines) {
          add(productId, { type: 'StockReleased', data: { productId, orderId: event.data.orderId, quantity } });
        }
        break;
      case 'OrderShipped':
        for (const { productId, quantity } of state.lines) {
          add(productId, { type: 'StockShipped', data: { productId, orderId: event.data.orderId, quantity } });
        }
        break;
      case 'OrderPlaced':
      case 'OrderPaid':
      case 'OrderDelivered':
        break;
      default:
        unreachable(event);
    }
  }
  return [...movements].map(([productId, productEvents]) => ({ productId, events: productEvents }));
}

/**
 * What the order's new events do to its discount code: a cancelled order gives its redemption back, to
 * the stream the redemption went to, in the same atomic append as the cancellation. Whoever cancels
 * (the customer, an admin, the payment timeout) goes through here.
 */
export function discountRelease(state: OrderState, events: readonly OrderEvent[]): { streamId: string; streamType: string; events: DiscountRedemptionReleased[] } | null {
  const cancelled = events.find((event) => event.type === 'OrderCancelled');
  if (!cancelled || !state.discountCode) return null;
  const { id: codeId, redemptionStreamId } = state.discountCode;
  return {
    streamId: redemptionStreamId,
    streamType: redemptionStreamType(codeId, redemptionStreamId),
    events: [{ type: 'DiscountRedemptionReleased', data: { codeId, orderId: cancelled.data.orderId, customerId: state.customerId } }],
  };
}

/**
 * The order's decider with what each decision does to stock (and to its discount code) appended to the
 * product streams (and the code's redemption stream), in the same atomic append, so stock, redemptions
 * and orders never disagree. Both only loosen the other stream's invariant (stock coming back or
 * leaving with its reservation; a redemption given back), so they are appended at whatever version
 * that stream is at.
 */
export const orderWithStockDecider: Decider<OrderCommand, OrderState, OrderEvent, NoReads, SpanningDecision<OrderEvent>> = {
  initialState,
  evolve,
  decide(command, state) {
    const events = decide(command, state);
    const release = discountRelease(state, events);
    return {
      events,
      also: [...stock(state, events), ...(release ? [{ ...release, expect: 'any' as const }] : [])],
    };
  },
};

function stock(state: OrderState, events: readonly OrderEvent[]) {
  return stockMovements(state, events).map(({ productId, events: movements }) => ({
    streamId: productId,
    streamType: PRODUCT_STREAM,
    events: movements,
    expect: 'any' as const,
  }));
}
