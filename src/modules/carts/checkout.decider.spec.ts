import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec, decisionSpec } from '../../event-store/decider.spec-kit.js';
import type { ProductCreated, ProductEvent } from '../catalog/product.events.js';
import { cartDecider } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';
import { shippingMethodsView, taxRatesView } from '../shipping/shipping.public.js';
import { checkoutDecider, decideCheckout, productView, type CheckoutCommand, type CheckoutPricing, type ProductView } from './checkout.decider.js';

const cartId = 'c-1';
const orderId = 'o-1';

const cartCreated: CartEvent = { type: 'CartCreated', data: { cartId, customerId: 'alice' } };
const added = (productId: string, quantity: number): CartEvent => ({ type: 'CartItemAdded', data: { cartId, productId, quantity } });
const productCreated = (productId: string, priceCents: number, stock: number): ProductCreated => ({
  type: 'ProductCreated',
  data: { productId, sku: `SKU-${productId}`, name: `Name ${productId}`, description: '', priceCents, stock },
});

const shippingAddress = { name: 'Alice', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
const checkout: CheckoutCommand = {
  cartId,
  orderId,
  customerId: 'alice',
  placedAt: '2025-01-02T03:04:05.000Z',
  currency: 'USD',
  shippingAddress,
};

const noPricing: CheckoutPricing = { shippingMethods: shippingMethodsView.initialState, taxRates: taxRatesView.initialState, discount: null };
const checkoutSpec = decisionSpec((streams: { cart: CartEvent[]; products: Record<string, ProductEvent[]> }, command: CheckoutCommand) =>
  decideCheckout(
    command,
    fold(cartDecider, streams.cart),
    new Map(Object.entries(streams.products).map(([id, events]) => [id, fold(productView, events)])),
    noPricing,
  ),
);
/** Given the cart's events and each product's events (a product absent from `products` was never created). */
const given = (cart: CartEvent[], products: Record<string, ProductEvent[]> = {}) => checkoutSpec.given({ cart, products });

describe('decideCheckout', () => {
  it('closes the cart, places the order at current prices and reserves the stock', () => {
    given([cartCreated, added('p-1', 2), added('p-2', 1)], {
      'p-1': [productCreated('p-1', 1000, 5), { type: 'ProductUpdated', data: { productId: 'p-1', name: 'Renamed', priceCents: 1250 } }],
      'p-2': [productCreated('p-2', 399, 1)],
    })
      .when(checkout)
      .then({
        cart: [{ type: 'CartCheckedOut', data: { cartId, orderId } }],
        order: [
          {
            type: 'OrderPlaced',
            data: {
              orderId,
              cartId,
              customerId: 'alice',
              lines: [
                { productId: 'p-1', sku: 'SKU-p-1', name: 'Renamed', quantity: 2, unitPriceCents: 1250 },
                { productId: 'p-2', sku: 'SKU-p-2', name: 'Name p-2', quantity: 1, unitPriceCents: 399 },
              ],
              totalCents: 2 * 1250 + 399,
              currency: 'USD',
              shippingAddress,
              placedAt: '2025-01-02T03:04:05.000Z',
              subtotalCents: 2 * 1250 + 399,
              discountCents: 0,
              shippingCents: 0,
              taxRateBasisPoints: 0,
              taxCents: 0,
            },
          },
        ],
        stock: [
          { productId: 'p-1', events: [{ type: 'StockReserved', data: { productId: 'p-1', orderId, quantity: 2 } }] },
          { productId: 'p-2', events: [{ type: 'StockReserved', data: { productId: 'p-2', orderId, quantity: 1 } }] },
        ],
        redemption: null,
      });
  });

  it('keeps the optional second address line', () => {
    const cart = fold(cartDecider, [cartCreated, added('p-1', 1)]);
    const products = new Map([['p-1', fold(productView, [productCreated('p-1', 100, 1)])]]);
    const address = { ...shippingAddress, line2: 'Flat 2' };
    const { order } = decideCheckout({ ...checkout, shippingAddress: address }, cart, products, noPricing);
    expect(order[0].type === 'OrderPlaced' && order[0].data.shippingAddress).toEqual(address);
  });

  it('answers not found for a missing cart', () => {
    given([]).when(checkout).thenThrows('NOT_FOUND');
  });

  it("answers not found for another customer's cart", () => {
    given([cartCreated, added('p-1', 1)], { 'p-1': [productCreated('p-1', 100, 5)] })
      .when({ ...checkout, customerId: 'bob' })
      .thenThrows('NOT_FOUND');
  });

  it('refuses a cart that is already checked out', () => {
    given([cartCreated, added('p-1', 1), { type: 'CartCheckedOut', data: { cartId, orderId: 'o-0' } }], {
      'p-1': [productCreated('p-1', 100, 5)],
    })
      .when(checkout)
      .thenThrows('CART_CHECKED_OUT');
  });

  it('refuses an empty cart', () => {
    given([cartCreated]).when(checkout).thenThrows('CART_EMPTY');
    given([cartCreated, added('p-1', 1), { type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }])
      .when(checkout)
      .thenThrows('CART_EMPTY');
  });

  it('takes exactly the available stock', () => {
    const { stock } = decideCheckout(
      checkout,
      fold(cartDecider, [cartCreated, added('p-1', 3)]),
      new Map([['p-1', fold(productView, [productCreated('p-1', 100, 5), { type: 'StockReserved', data: { productId: 'p-1', orderId: 'o-0', quantity: 2 } }])]]),
      noPricing,
    );
    expect(stock).toEqual([{ productId: 'p-1', events: [{ type: 'StockReserved', data: { productId: 'p-1', orderId, quantity: 3 } }] }]);
  });

  it('names every short or missing product in one INSUFFICIENT_STOCK error', () => {
    given([cartCreated, added('p-1', 4), added('p-2', 1), added('p-3', 2), added('p-4', 1)], {
      'p-1': [productCreated('p-1', 100, 5), { type: 'StockReserved', data: { productId: 'p-1', orderId: 'o-0', quantity: 2 } }],
      'p-2': [productCreated('p-2', 100, 1)],
      'p-3': [],
    })
      .when(checkout)
      .thenThrows('INSUFFICIENT_STOCK', [
        { productId: 'p-1', requested: 4, available: 3 },
        { productId: 'p-3', requested: 2, available: 0 },
        { productId: 'p-4', requested: 1, available: 0 },
      ]);
  });
});

describe('checkoutDecider', () => {
  it("closes the cart on its own stream, places the order on a new stream and reserves each product at the version read", () => {
    const products = new Map([['p-1', fold(productView, [productCreated('p-1', 1000, 5)])]]);
    deciderSpec(checkoutDecider)
      .given([cartCreated, added('p-1', 2)], { products, ...noPricing })
      .when(checkout)
      .then({
        events: [{ type: 'CartCheckedOut', data: { cartId, orderId } }],
        also: [
          {
            streamId: orderId,
            streamType: 'order',
            events: decideCheckout(checkout, fold(cartDecider, [cartCreated, added('p-1', 2)]), products, noPricing).order,
            expect: 'new',
          },
          { streamId: 'p-1', streamType: 'product', events: [{ type: 'StockReserved', data: { productId: 'p-1', orderId, quantity: 2 } }] },
        ],
      });
  });

  it("folds the cart with the cart's own evolve", () => {
    expect(checkoutDecider.evolve).toBe(cartDecider.evolve);
    expect(checkoutDecider.initialState).toBe(cartDecider.initialState);
  });
});

describe('productView', () => {
  const view = (events: ProductEvent[]): ProductView => fold(productView, events);
  const created = productCreated('p-1', 1000, 10);
  const base: ProductView = { exists: true, sku: 'SKU-p-1', name: 'Name p-1', priceCents: 1000, available: 10 };
  const movement = (type: 'StockReserved' | 'StockReleased' | 'StockShipped', quantity: number): ProductEvent => ({
    type,
    data: { productId: 'p-1', orderId: 'o-0', quantity },
  });

  it('starts as a missing product', () => {
    expect(productView.initialState).toEqual({ exists: false, sku: '', name: '', priceCents: 0, available: 0 });
  });

  it('ProductCreated makes all the stock available', () => {
    expect(view([created])).toEqual(base);
  });

  it('ProductUpdated changes the name and price it holds', () => {
    expect(view([created, { type: 'ProductUpdated', data: { productId: 'p-1', priceCents: 1500 } }])).toEqual({ ...base, priceCents: 1500 });
    expect(view([created, { type: 'ProductUpdated', data: { productId: 'p-1', name: 'New', description: 'x' } }])).toEqual({ ...base, name: 'New' });
  });

  it('StockAdjusted moves availability', () => {
    expect(view([created, { type: 'StockAdjusted', data: { productId: 'p-1', delta: -4 } }]).available).toBe(6);
  });

  it('StockReserved lowers availability and StockReleased restores it', () => {
    expect(view([created, movement('StockReserved', 3)]).available).toBe(7);
    expect(view([created, movement('StockReserved', 3), movement('StockReleased', 3)]).available).toBe(10);
  });

  it('StockShipped leaves availability as the reservation left it', () => {
    expect(view([created, movement('StockReserved', 3), movement('StockShipped', 3)]).available).toBe(7);
  });
});
