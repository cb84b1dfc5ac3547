import { unreachable, type Decider, type Projector, type SpanningDecision } from '../../event-store/decider.js';
import { ConflictError, DomainError, NotFoundError } from '../../event-store/errors.js';
import type { NewEvent } from '../../event-store/event.js';
import { PRODUCT_STREAM, type ProductEvent } from '../catalog/product.events.js';
import { discountNotApplicable, discountRefusal, redemptionOf, type DiscountForCustomer } from '../discounts/discounts.public.js';
import { ORDER_STREAM, type OrderEvent, type OrderLine, type ShippingAddress } from '../orders/order.events.js';
import { methodsServing, taxRateOf, type ShippingMethodsState, type TaxRatesState } from '../shipping/shipping.public.js';
import { cartDecider, type CartState } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';
import { orderTotals } from './checkout-totals.js';

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
  /** Required when an active method serves the address's country. */
  readonly shippingMethodId?: string;
}

/** What prices an order besides its lines, each read from its own stream at checkout. */
export interface CheckoutPricing {
  readonly shippingMethods: ShippingMethodsState;
  readonly taxRates: TaxRatesState;
  /** The cart's code as it stands now for this customer; null when the cart holds none. */
  readonly discount: DiscountForCustomer | null;
}

export interface CheckoutDecision {
  readonly cart: CartEvent[];
  readonly order: OrderEvent[];
  /** One entry per product in the cart, each reserving that line's quantity. */
  readonly stock: Array<{ productId: string; events: ProductEvent[] }>;
  /** The code's redemption, appended to the stream that guards its limits; null without a code. */
  readonly redemption: { streamId: string; streamType: string; events: NewEvent[] } | null;
}

/** A body that the state makes invalid (a shipping method is required here): 400, like any bad body. */
class InvalidCheckoutError extends DomainError {
  constructor(field: string, message: string) {
    super('VALIDATION_FAILED', message, [{ field, message }]);
  }
}

/**
 * Checkout spans several kinds of stream: it closes the cart, places the order at the catalog's current
 * prices with its shipping, tax and discount, reserves each product's stock and redeems the code. The
 * handler appends all of it atomically (checkoutDecider, below), with the version every stream it read
 * at, so a concurrent sale, price change, redemption of a limited code or change of the shipping
 * methods or tax rates makes it decide again.
 */
export function decideCheckout(
  command: CheckoutCommand,
  cart: CartState,
  products: ReadonlyMap<string, ProductView>,
  pricing: CheckoutPricing,
): CheckoutDecision {
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

  const method = shippingMethodFor(command, pricing.shippingMethods);
  const discount = pricing.discount;
  if (cart.discount && discount) {
    const refusal = discountRefusal(discount, placedAt, orderTotals({ lines, discount: null, shipping: null, taxRateBasisPoints: 0 }).subtotalCents);
    if (refusal) throw discountNotApplicable(discount, refusal);
  }
  const applied = cart.discount ? discount : null;
  const taxRateBasisPoints = taxRateOf(pricing.taxRates, country);
  const totals = orderTotals({ lines, discount: applied?.definition ?? null, shipping: method, taxRateBasisPoints });

  return {
    cart: [{ type: 'CartCheckedOut', data: { cartId, orderId } }],
    order: [
      {
        type: 'OrderPlaced',
        data: {
          orderId,
          cartId,
          customerId,
          lines,
          totalCents: totals.totalCents,
          currency,
          shippingAddress,
          placedAt,
          subtotalCents: totals.subtotalCents,
          discountCents: totals.discountCents,
          ...(applied && { discountCode: { id: applied.codeId, code: applied.definition.code, redemptionStreamId: applied.redemptionStream.id } }),
          ...(method && { shippingMethod: { id: method.id, code: method.code, name: method.name } }),
          shippingCents: totals.shippingCents,
          taxRateBasisPoints,
          taxCents: totals.taxCents,
        },
      },
    ],
    stock: lines.map(({ productId, quantity }) => ({
      productId,
      events: [{ type: 'StockReserved', data: { productId, orderId, quantity } }],
    })),
    redemption: applied ? redemptionOf(applied, orderId, customerId) : null,
  };
}

/**
 * The method the order ships with: the one asked for, if it is active and serves the country; none
 * when no active method serves it and none was asked for (shipping then costs 0).
 */
function shippingMethodFor(command: CheckoutCommand, state: ShippingMethodsState) {
  const country = command.shippingAddress.country.toUpperCase();
  const serving = methodsServing(state, country);
  if (command.shippingMethodId === undefined) {
    if (serving.length > 0) throw new InvalidCheckoutError('shippingMethodId', `shippingMethodId is required: shipping methods serve ${country}`);
    return null;
  }
  const method = serving.find((m) => m.id === command.shippingMethodId);
  if (!method) {
    throw new ConflictError('SHIPPING_METHOD_NOT_AVAILABLE', `The shipping method is not available for ${country}`, [
      { shippingMethodId: command.shippingMethodId, country },
    ]);
  }
  return method;
}

/** What checkout reads besides the cart: every product in it by id, and what prices the order. */
export interface CheckoutReads extends CheckoutPricing {
  readonly products: ReadonlyMap<string, ProductView>;
}

/**
 * Checkout as a decider on the cart's stream (it shares the cart's fold, so the cart's cached state
 * too) whose decision also places the order (a new stream), reserves the stock (each product at the
 * version the decision read it at) and redeems the code (on the stream that holds its limits, at the
 * version read: of racing redemptions past a limit, one appends).
 */
export const checkoutDecider: Decider<CheckoutCommand, CartState, CartEvent, CheckoutReads, SpanningDecision<CartEvent>> = {
  initialState: cartDecider.initialState,
  evolve: cartDecider.evolve,
  decide(command, cart, { products, ...pricing }) {
    const decision = decideCheckout(command, cart, products, pricing);
    return {
      events: decision.cart,
      also: [
        { streamId: command.orderId, streamType: ORDER_STREAM, events: decision.order, expect: 'new' },
        ...decision.stock.map(({ productId, events }) => ({ streamId: productId, streamType: PRODUCT_STREAM, events })),
        ...(decision.redemption ? [decision.redemption] : []),
      ],
    };
  },
};
