import { unreachable, type Decider } from '../../event-store/decider.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../event-store/errors.js';
import type { ProductEvent } from '../catalog/product.events.js';
import type { OrderEvent, OrderLine } from './order.events.js';

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
}

const initialState: OrderState = { status: 'none', customerId: '', lines: [], totalCents: 0, currency: '' };

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
      const { customerId, lines, totalCents, currency } = event.data;
      return { status: 'placed', customerId, lines, totalCents, currency };
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
 * takes the items off the shelf. The handler appends these to the product streams in the same atomic
 * append as the order's events, so stock and orders never disagree.
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
