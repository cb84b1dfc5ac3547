import fc from 'fast-check';
import type { StoredEvent } from '../../src/event-store/event.js';
import { CART_STREAM, type CartEvent } from '../../src/modules/carts/cart.events.js';
import { PRODUCT_STREAM, type ProductEvent } from '../../src/modules/catalog/product.events.js';
import { DISCOUNT_CODE_STREAM, DISCOUNT_REDEMPTIONS_STREAM, type DiscountCodeEvent } from '../../src/modules/discounts/discounts.events.js';
import { ORDER_STREAM, orderTotal, type OrderEvent, type OrderLine, type OrderPlaced } from '../../src/modules/orders/order.events.js';
import {
  SHIPPING_METHODS_STREAM,
  SHIPPING_METHODS_STREAM_ID,
  TAX_RATES_STREAM,
  TAX_RATES_STREAM_ID,
  type ShippingMethodEvent,
  type TaxRateEvent,
} from '../../src/modules/shipping/shipping.events.js';
import { TestLog } from './given-events.js';

/**
 * Random logs the write side could have written: fast-check draws steps, and a little state machine per
 * stream turns each into the event its decider would append (or skips it where the decider would refuse).
 * Ids are lower case and times millisecond ISO, as the write side makes them.
 */
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`);
const PRODUCTS = ids('00000000', 5);
const CARTS = ids('11111111', 6);
const ORDERS = ids('22222222', 6);
const day = (n: number, ms: number) => new Date(Date.UTC(2026, 10, 20 + n, 23, 59, 59, ms)).toISOString();

const step = fc.record({ who: fc.nat(5), what: fc.nat(9), product: fc.nat(4), amount: fc.integer({ min: 1, max: 1000 }), time: fc.nat(999) });
const steps = fc.array(step, { minLength: 1, maxLength: 150, size: 'max' });

/** Products created, renamed and repriced, their stock adjusted, reserved, released and shipped. */
export const catalogLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const products = new Map<string, { onHand: number; reserved: number }>();
  const events: StoredEvent[] = [];
  const add = (productId: string, event: ProductEvent) => events.push(log.event(productId, PRODUCT_STREAM, event));
  for (const { what, product, amount, time } of drawn) {
    const productId = PRODUCTS[product];
    const stock = products.get(productId);
    if (!stock) {
      add(productId, { type: 'ProductCreated', data: { productId, sku: `SKU-${product}`, name: `Name ${time}`, description: '', priceCents: amount, stock: time } });
      products.set(productId, { onHand: time, reserved: 0 });
    } else if (what < 2) {
      add(productId, { type: 'ProductUpdated', data: { productId, ...(what === 0 ? { name: `Name ${time} ☕` } : { priceCents: amount * 1000, description: `"${time}"\\` }) } });
    } else if (what < 4) {
      const delta = what === 2 ? amount : -Math.min(amount, stock.onHand - stock.reserved);
      add(productId, { type: 'StockAdjusted', data: { productId, delta } });
      stock.onHand += delta;
    } else if (what < 7 && stock.onHand - stock.reserved >= amount) {
      add(productId, { type: 'StockReserved', data: { productId, orderId: ORDERS[0], quantity: amount } });
      stock.reserved += amount;
    } else if (what < 8 && stock.reserved > 0) {
      add(productId, { type: 'StockReleased', data: { productId, orderId: ORDERS[0], quantity: stock.reserved } });
      stock.reserved = 0;
    } else if (stock.reserved > 0) {
      add(productId, { type: 'StockShipped', data: { productId, orderId: ORDERS[0], quantity: stock.reserved } });
      stock.onHand -= stock.reserved;
      stock.reserved = 0;
    }
  }
  return events;
});

function placed(log: TestLog, orderId: string, cartId: string, lines: OrderLine[], placedAt: string, discount?: Pick<OrderPlaced['data'], 'discountCents' | 'discountCode'>): StoredEvent {
  const shippingAddress = { name: 'Ada', line1: '1 Road', ...(lines.length % 2 === 0 && { line2: 'Flat 2' }), city: 'Paris', postalCode: '75001', country: 'FR' };
  return log.event(orderId, ORDER_STREAM, {
    type: 'OrderPlaced',
    data: { orderId, cartId, customerId: `customer-${lines.length}`, lines, totalCents: orderTotal(lines), currency: 'EUR', shippingAddress, placedAt, ...discount },
  } satisfies OrderEvent);
}

const orderLine = (product: number, quantity: number): OrderLine => ({ productId: PRODUCTS[product], sku: `SKU-${product}`, name: `Name ${product}`, quantity, unitPriceCents: 100_000_000 - product });

/** Carts opened, filled, changed, emptied and checked out (with the order's OrderPlaced right behind). */
export const cartLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const carts = new Map<string, { lines: Map<number, number>; open: boolean }>();
  const events: StoredEvent[] = [];
  const add = (cartId: string, event: CartEvent) => events.push(log.event(cartId, CART_STREAM, event));
  for (const { who, what, product, amount, time } of drawn) {
    const cartId = CARTS[who];
    const productId = PRODUCTS[product];
    const cart = carts.get(cartId);
    if (!cart) {
      add(cartId, { type: 'CartCreated', data: { cartId, customerId: `customer-${who}` } });
      carts.set(cartId, { lines: new Map(), open: true });
    } else if (!cart.open) {
      continue;
    } else if (what < 4 || cart.lines.size === 0) {
      add(cartId, { type: 'CartItemAdded', data: { cartId, productId, quantity: amount } });
      cart.lines.set(product, (cart.lines.get(product) ?? 0) + amount);
    } else if (what < 9) {
      // A line the cart holds.
      const held = [...cart.lines.keys()][product % cart.lines.size];
      if (what < 6) {
        add(cartId, { type: 'CartItemQuantityChanged', data: { cartId, productId: PRODUCTS[held], quantity: amount } });
        cart.lines.set(held, amount);
      } else {
        add(cartId, { type: 'CartItemRemoved', data: { cartId, productId: PRODUCTS[held] } });
        cart.lines.delete(held);
      }
    } else {
      const orderId = ORDERS[who];
      add(cartId, { type: 'CartCheckedOut', data: { cartId, orderId } });
      events.push(placed(log, orderId, cartId, [...cart.lines].map(([p, quantity]) => orderLine(p, quantity)), day(0, time)));
      cart.open = false;
    }
  }
  return events;
});

/** Orders placed (on several UTC days), paid, shipped, delivered or cancelled, as the order decider allows. */
export const orderLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const orders = new Map<string, OrderEvent['type']>();
  const events: StoredEvent[] = [];
  const add = (orderId: string, event: OrderEvent) => events.push(log.event(orderId, ORDER_STREAM, event));
  for (const { who, what, product, amount, time } of drawn) {
    const orderId = ORDERS[who];
    const at = day(what % 3, time);
    const last = orders.get(orderId);
    let next: OrderEvent | undefined;
    if (!last) {
      events.push(placed(log, orderId, CARTS[who], [orderLine(product, amount), orderLine((product + 1) % 5, time + 1)], at));
      orders.set(orderId, 'OrderPlaced');
      continue;
    }
    if (what < 3 && (last === 'OrderPlaced' || last === 'OrderPaid')) next = { type: 'OrderCancelled', data: { orderId, reason: `reason ${time}`, cancelledAt: at } };
    else if (last === 'OrderPlaced') next = { type: 'OrderPaid', data: { orderId, amountCents: 1, paymentReference: `pay-${time}`, paidAt: at } };
    else if (last === 'OrderPaid') next = { type: 'OrderShipped', data: { orderId, carrier: 'UPS', trackingNumber: `T${time}`, shippedAt: at } };
    else if (last === 'OrderShipped') next = { type: 'OrderDelivered', data: { orderId, deliveredAt: at } };
    if (next) {
      add(orderId, next);
      orders.set(orderId, next.type);
    }
  }
  return events;
});

const CODES = ids('33333333', 3);

/**
 * Discount codes created and deactivated, redeemed and given back, in the code's own stream (a code with
 * a total limit) or in the customer's redemptions of it (one without).
 */
export const discountLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const codes = new Map<string, { limited: boolean; redeemed: string[] }>();
  const events: StoredEvent[] = [];
  for (const { who, what, product, amount, time } of drawn) {
    const codeId = CODES[who % CODES.length];
    const code = codes.get(codeId);
    const customerId = `customer-${product}`;
    if (!code) {
      const limited = what % 2 === 0;
      const data = {
        codeId,
        code: `Code-${who}_${time}`,
        kind: what < 5 ? ('percent' as const) : ('fixed' as const),
        value: what < 5 ? 1 + (amount % 100) : amount,
        minSubtotalCents: what < 3 ? null : amount * 100,
        startsAt: what < 4 ? null : day(0, time),
        endsAt: what < 6 ? null : day(2, time),
        maxRedemptions: limited ? amount : null,
        maxPerCustomer: 1 + (time % 3),
      };
      events.push(log.event(codeId, DISCOUNT_CODE_STREAM, { type: 'DiscountCodeCreated', data } satisfies DiscountCodeEvent));
      codes.set(codeId, { limited, redeemed: [] });
      continue;
    }
    const stream = code.limited ? codeId : `${codeId.slice(0, 24)}${String(product).padStart(12, '0')}`;
    const streamType = code.limited ? DISCOUNT_CODE_STREAM : DISCOUNT_REDEMPTIONS_STREAM;
    if (what === 0) {
      events.push(log.event(codeId, DISCOUNT_CODE_STREAM, { type: 'DiscountCodeDeactivated', data: { codeId, deactivatedAt: day(1, time) } } satisfies DiscountCodeEvent));
    } else if (what < 6 || code.redeemed.length === 0) {
      const orderId = `${ORDERS[who].slice(0, 24)}${String(time).padStart(12, '0')}`;
      events.push(log.event(stream, streamType, { type: 'DiscountRedeemed', data: { codeId, orderId, customerId } } satisfies DiscountCodeEvent));
      code.redeemed.push(orderId);
    } else {
      const orderId = code.redeemed.pop()!;
      events.push(log.event(stream, streamType, { type: 'DiscountRedemptionReleased', data: { codeId, orderId, customerId } } satisfies DiscountCodeEvent));
    }
  }
  return events;
});

const METHODS = ids('44444444', 4);
const COUNTRIES = ['FR', 'DE', 'IT', 'ES', 'NL'];

/** Shipping methods created and changed (one field or several; a threshold set or cleared), and tax rates set. */
export const shippingLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const created = new Set<string>();
  const events: StoredEvent[] = [];
  for (const { who, what, product, amount, time } of drawn) {
    const methodId = METHODS[who % METHODS.length];
    const countries = COUNTRIES.slice(product % 3, 1 + product + (time % 3));
    let event: ShippingMethodEvent | TaxRateEvent;
    if (what >= 7) {
      event = { type: 'TaxRateSet', data: { country: COUNTRIES[product], rateBasisPoints: (amount * 7) % 10_001 } };
      events.push(log.event(TAX_RATES_STREAM_ID, TAX_RATES_STREAM, event));
      continue;
    }
    if (!created.has(methodId)) {
      event = { type: 'ShippingMethodCreated', data: { methodId, code: `m${who}`, name: `Method ${time}`, priceCents: amount, freeOverCents: what < 3 ? null : amount * 10, countries } };
      created.add(methodId);
    } else if (what < 2) {
      event = { type: 'ShippingMethodChanged', data: { methodId, freeOverCents: what === 0 ? null : amount * 20 } };
    } else if (what < 4) {
      event = { type: 'ShippingMethodChanged', data: { methodId, name: `Renamed ${time} ☕`, countries } };
    } else {
      event = { type: 'ShippingMethodChanged', data: { methodId, priceCents: amount + 1, active: what === 4 } };
    }
    events.push(log.event(SHIPPING_METHODS_STREAM_ID, SHIPPING_METHODS_STREAM, event));
  }
  return events;
});

/** Codes put on carts and taken off, then carts checked out, with or without a code on the order. */
export const cartDiscountLogs: fc.Arbitrary<StoredEvent[]> = steps.map((drawn) => {
  const log = new TestLog();
  const carts = new Map<string, { open: boolean; codeId: string | null }>();
  const events: StoredEvent[] = [];
  const add = (cartId: string, event: CartEvent) => events.push(log.event(cartId, CART_STREAM, event));
  for (const { who, what, product, amount, time } of drawn) {
    const cartId = CARTS[who];
    const cart = carts.get(cartId);
    if (!cart) {
      add(cartId, { type: 'CartCreated', data: { cartId, customerId: `customer-${who}` } });
      carts.set(cartId, { open: true, codeId: null });
    } else if (!cart.open) {
      continue;
    } else if (what < 5) {
      cart.codeId = CODES[product % CODES.length];
      add(cartId, { type: 'CartDiscountApplied', data: { cartId, codeId: cart.codeId, code: `Code-${time}` } });
    } else if (what < 7 && cart.codeId !== null) {
      add(cartId, { type: 'CartDiscountRemoved', data: { cartId } });
      cart.codeId = null;
    } else if (what >= 8) {
      const orderId = ORDERS[who];
      add(cartId, { type: 'CartCheckedOut', data: { cartId, orderId } });
      const discount = cart.codeId === null ? undefined : { discountCents: amount, discountCode: { id: cart.codeId, code: `Code-${time}`, redemptionStreamId: cart.codeId } };
      events.push(placed(log, orderId, cartId, [orderLine(product, amount)], day(0, time), discount));
      cart.open = false;
    }
  }
  return events;
});
