import { unreachable, type Decider, type Projector, type SpanningDecision } from '../../event-store/decider.js';
import { ConflictError, NotFoundError } from '../../event-store/errors.js';
import { PRODUCT_STREAM, type ProductEvent } from '../catalog/product.events.js';
import { ORDER_STREAM, orderTotal, type OrderEvent, type OrderLine, type ShippingAddress } from '../orders/order.events.js';
import { cartDecider, type CartState } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';

export type { ShippingAddress } from '../orders/order.events.js';

/** What checkout needs to know of a product, folded from the catalog's events (never its decider). */
export interface ProductView {
  readonly exists: boolean;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  /** On hand minus what open orders reserve. */
  readonly available: number;
}

export const productView: Projector<ProductView, ProductEvent> = {
  initialState: { exists: false, sku: '', name: '', priceCents: 0, available: 0 },
  evolve(view, event) {
    switch (event.type) {
      case 'ProductCreated': {
        const { sku, name, priceCents, stock } = event.data;
        return { exists: true, sku, name, priceCents, available: stock };
      }
      case 'ProductUpdated':
        return { ...view, name: event.data.name ?? view.name, priceCents: event.data.priceCents ?? view.priceCents };
      case 'StockAdjusted':
        return { ...view, available: view.available + event.data.delta };
      case 'StockReserved':
        return { ...view, available: view.available - event.data.quantity };
      case 'StockReleased':
        return { ...view, available: view.available + event.data.quantity };
      case 'StockShipped':
        // Shipping takes the items off on-hand and ends their reservation: available is unchanged.
        return view;
      default:
        return unreachable(event);
    }
  },
};

export interface CheckoutCommand {
  readonly cartId: string;
  /** New, chosen by the handler. */
  readonly orderId: string;
  /** The acting customer. */
  readonly customerId: string;
  /** ISO 8601 UTC. */
  readonly placedAt: string;
  readonly currency: string;
  readonly shippingAddress: ShippingAddress;
}

export interface CheckoutDecision {
  readonly cart: CartEvent[];
  readonly order: OrderEvent[];
  /** One entry per product in the cart, each reserving that line's quantity. */
  readonly stock: Array<{ productId: string; events: ProductEvent[] }>;
}

/**
 * Checkout spans three kinds of stream: it closes the cart, places the order at the catalog's current
 * prices and reserves each product's stock. All of it is appended atomically (checkoutDecider, below),
 * with the version of every product stream it read, so a concurrent sale or price change makes it
 * decide again.
 */
export function decideCheckout(command: CheckoutCommand, cart: CartState, products: ReadonlyMap<string, ProductView>): CheckoutDecision {
  // Another customer's cart answers as a missing one: its existence is not revealed.
  if (!cart.exists || cart.customerId !== command.customerId) throw new NotFoundError('Cart not found');
  if (cart.status === 'checked_out') throw new ConflictError('CART_CHECKED_OUT', 'The cart has been checked out');
  if (cart.lines.length === 0) throw new ConflictError('CART_EMPTY', 'The cart is empty');

  const lines: OrderLine[] = [];
  const shortages: Array<{ productId: string; requested: number; available: number }> = [];
  for (const { productId, quantity } of cart.lines) {
    const product = products.get(productId);
    if (!product?.exists || quantity > product.available) {
      shortages.push({ productId, requested: quantity, available: product?.exists ? product.available : 0 });
    } else {
      lines.push({ productId, sku: product.sku, name: product.name, quantity, unitPriceCents: product.priceCents });
    }
  }
  // One error naming every short line, so the customer can fix the cart in one go.
  if (shortages.length > 0) {
    throw new ConflictError('INSUFFICIENT_STOCK', 'Not enough stock for some of the items in the cart', shortages);
  }

  const { cartId, orderId, customerId, placedAt, currency } = command;
  // Copied field by field: the event stays plain data even if the address arrived as a DTO instance.
  const { name, line1, line2, city, postalCode, country } = command.shippingAddress;
  const shippingAddress: ShippingAddress = { name, line1, ...(line2 !== undefined && { line2 }), city, postalCode, country };
  return {
    cart: [{ type: 'CartCheckedOut', data: { cartId, orderId } }],
    order: [
      {
        type: 'OrderPlaced',
        data: { orderId, cartId, customerId, lines, totalCents: orderTotal(lines), currency, shippingAddress, placedAt },
      },
    ],
    stock: lines.map(({ productId, quantity }) => ({
      productId,
      events: [{ type: 'StockReserved', data: { productId, orderId, quantity } }],
    })),
  };
}

/** What checkout reads besides the cart: every product in it, by id. */
export interface CheckoutReads {
  readonly products: ReadonlyMap<string, ProductView>;
}

/**
 * Checkout as a decider on the cart's stream (it shares the cart's fold, so the cart's cached state
 * too) whose decision also places the order (a new stream) and reserves the stock, each product at
 * the version the decision read it at.
 */
export const checkoutDecider: Decider<CheckoutCommand, CartState, CartEvent, CheckoutReads, SpanningDecision<CartEvent>> = {
  initialState: cartDecider.initialState,
  evolve: cartDecider.evolve,
  decide(command, cart, { products }) {
    const decision = decideCheckout(command, cart, products);
    return {
      events: decision.cart,
      also: [
        { streamId: command.orderId, streamType: ORDER_STREAM, events: decision.order, expect: 'new' },
        ...decision.stock.map(({ productId, events }) => ({ streamId: productId, streamType: PRODUCT_STREAM, events })),
      ],
    };
  },
};
