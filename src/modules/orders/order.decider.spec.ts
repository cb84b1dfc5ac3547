import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import { discountRelease, orderDecider, orderWithStockDecider, stockMovements, type OrderCommand, type OrderState } from './order.decider.js';
import { orderTotal, type OrderEvent, type OrderLine } from './order.events.js';

const orderId = 'o-1';
const alice = { customerId: 'alice', isAdmin: false };
const bob = { customerId: 'bob', isAdmin: false };
const admin = { customerId: 'root', isAdmin: true };

const lines: OrderLine[] = [
  { productId: 'p-1', sku: 'MUG-01', name: 'Mug', quantity: 2, unitPriceCents: 1250 },
  { productId: 'p-2', sku: 'TEA-01', name: 'Tea', quantity: 1, unitPriceCents: 499 },
];
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId,
    cartId: 'c-1',
    customerId: 'alice',
    lines,
    totalCents: 2999,
    currency: 'USD',
    shippingAddress: { name: 'Alice', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    placedAt: '2025-01-01T00:00:00.000Z',
  },
};
const paid: OrderEvent = { type: 'OrderPaid', data: { orderId, amountCents: 2999, paymentReference: 'pay-1', paidAt: '2025-01-01T01:00:00.000Z' } };
const shipped: OrderEvent = {
  type: 'OrderShipped',
  data: { orderId, carrier: 'UPS', trackingNumber: '1Z', shippedAt: '2025-01-02T00:00:00.000Z' },
};
const delivered: OrderEvent = { type: 'OrderDelivered', data: { orderId, deliveredAt: '2025-01-03T00:00:00.000Z' } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', cancelledAt: '2025-01-01T02:00:00.000Z' } };

const pay = (amountCents = 2999, actor = alice): OrderCommand => ({
  type: 'PayOrder',
  orderId,
  amountCents,
  paymentReference: 'pay-1',
  paidAt: '2025-01-01T01:00:00.000Z',
  actor,
});
const ship = (actor = admin): OrderCommand => ({
  type: 'ShipOrder',
  orderId,
  carrier: 'UPS',
  trackingNumber: '1Z',
  shippedAt: '2025-01-02T00:00:00.000Z',
  actor,
});
const deliver = (actor = admin): OrderCommand => ({ type: 'DeliverOrder', orderId, deliveredAt: '2025-01-03T00:00:00.000Z', actor });
const cancel = (actor = alice): OrderCommand => ({
  type: 'CancelOrder',
  orderId,
  reason: 'changed my mind',
  cancelledAt: '2025-01-01T02:00:00.000Z',
  actor,
});

const { given } = deciderSpec(orderDecider);

describe('orderDecider', () => {
  describe('every command', () => {
    it.each([pay(), ship(), deliver(), cancel()])('answers not found for a missing order ($type)', (command) => {
      given([]).when(command).thenThrows('NOT_FOUND');
    });

    it.each([pay(2999, bob), ship(bob), deliver(bob), cancel(bob)])("answers not found for another customer's order ($type)", (command) => {
      given([placed, paid, shipped]).when(command).thenThrows('NOT_FOUND');
    });
  });

  describe('PayOrder', () => {
    it('pays a placed order for its owner', () => {
      given([placed]).when(pay()).then([paid]);
    });

    it('lets an admin pay any order', () => {
      given([placed]).when(pay(2999, admin)).then([paid]);
    });

    it('refuses an amount other than the total', () => {
      given([placed]).when(pay(2998)).thenThrows('PAYMENT_AMOUNT_MISMATCH', [{ expectedCents: 2999, amountCents: 2998 }]);
      given([placed]).when(pay(3000)).thenThrows('PAYMENT_AMOUNT_MISMATCH', [{ expectedCents: 2999, amountCents: 3000 }]);
    });

    it.each([
      ['paid', [placed, paid]],
      ['shipped', [placed, paid, shipped]],
      ['delivered', [placed, paid, shipped, delivered]],
      ['cancelled', [placed, cancelled]],
    ])('refuses a %s order', (_, history) => {
      given(history).when(pay()).thenThrows('ORDER_NOT_PAYABLE');
    });
  });

  describe('ShipOrder', () => {
    it('ships a paid order', () => {
      given([placed, paid]).when(ship()).then([shipped]);
    });

    it('forbids its owner to ship it', () => {
      given([placed, paid]).when(ship(alice)).thenThrows('FORBIDDEN');
    });

    it.each([
      ['placed', [placed]],
      ['shipped', [placed, paid, shipped]],
      ['delivered', [placed, paid, shipped, delivered]],
      ['cancelled', [placed, paid, cancelled]],
    ])('refuses a %s order', (_, history) => {
      given(history).when(ship()).thenThrows('ORDER_NOT_SHIPPABLE');
    });
  });

  describe('DeliverOrder', () => {
    it('delivers a shipped order', () => {
      given([placed, paid, shipped]).when(deliver()).then([delivered]);
    });

    it('forbids its owner to mark it delivered', () => {
      given([placed, paid, shipped]).when(deliver(alice)).thenThrows('FORBIDDEN');
    });

    it.each([
      ['placed', [placed]],
      ['paid', [placed, paid]],
      ['delivered', [placed, paid, shipped, delivered]],
      ['cancelled', [placed, cancelled]],
    ])('refuses a %s order', (_, history) => {
      given(history).when(deliver()).thenThrows('ORDER_NOT_DELIVERABLE');
    });
  });

  describe('CancelOrder', () => {
    it('cancels a placed order for its owner', () => {
      given([placed]).when(cancel()).then([cancelled]);
    });

    it('cancels a paid order', () => {
      given([placed, paid]).when(cancel()).then([cancelled]);
    });

    it('lets an admin cancel any order', () => {
      given([placed]).when(cancel(admin)).then([cancelled]);
    });

    it.each([
      ['shipped', [placed, paid, shipped]],
      ['delivered', [placed, paid, shipped, delivered]],
      ['cancelled', [placed, cancelled]],
    ])('refuses a %s order', (_, history) => {
      given(history).when(cancel()).thenThrows('ORDER_NOT_CANCELLABLE');
    });
  });

  describe('ExpireOrder', () => {
    const system = { customerId: 'system', isAdmin: true };
    const expire: OrderCommand = { type: 'ExpireOrder', orderId, expiredAt: '2025-01-01T01:00:00.000Z', actor: system };

    it('cancels a placed order for payment timeout', () => {
      given([placed])
        .when(expire)
        .then([{ type: 'OrderCancelled', data: { orderId, reason: 'payment timeout', cancelledAt: '2025-01-01T01:00:00.000Z' } }]);
    });

    it.each([
      ['paid', [placed, paid]],
      ['shipped', [placed, paid, shipped]],
      ['delivered', [placed, paid, shipped, delivered]],
      ['cancelled', [placed, cancelled]],
    ])('leaves a %s order as it is, without refusing', (_, history) => {
      given(history).when(expire).then([]);
    });

    it('answers not found for a missing order', () => {
      given([]).when(expire).thenThrows('NOT_FOUND');
    });
  });

  describe('evolve', () => {
    const placedState: OrderState = { status: 'placed', customerId: 'alice', lines, totalCents: 2999, currency: 'USD', discountCode: null };

    it('starts with no order', () => {
      expect(orderDecider.initialState).toEqual({ status: 'none', customerId: '', lines: [], totalCents: 0, currency: '', discountCode: null });
    });

    it('OrderPlaced records owner, lines, total and currency', () => {
      expect(fold(orderDecider, [placed])).toEqual(placedState);
    });

    it.each([
      ['OrderPaid', [placed, paid], 'paid'],
      ['OrderShipped', [placed, paid, shipped], 'shipped'],
      ['OrderDelivered', [placed, paid, shipped, delivered], 'delivered'],
      ['OrderCancelled', [placed, cancelled], 'cancelled'],
    ] as const)('%s moves the status and keeps the rest', (_, history, status) => {
      expect(fold(orderDecider, history)).toEqual({ ...placedState, status });
    });
  });
});

// Folded inside each test: a spec that throws while Vitest collects it would pass under Stryker.
describe('stockMovements', () => {
  const paidOrder = () => fold(orderDecider, [placed, paid]);

  it('releases every line when the order is cancelled', () => {
    expect(stockMovements(paidOrder(), [cancelled])).toEqual([
      { productId: 'p-1', events: [{ type: 'StockReleased', data: { productId: 'p-1', orderId, quantity: 2 } }] },
      { productId: 'p-2', events: [{ type: 'StockReleased', data: { productId: 'p-2', orderId, quantity: 1 } }] },
    ]);
  });

  it('ships every line when the order is shipped', () => {
    expect(stockMovements(paidOrder(), [shipped])).toEqual([
      { productId: 'p-1', events: [{ type: 'StockShipped', data: { productId: 'p-1', orderId, quantity: 2 } }] },
      { productId: 'p-2', events: [{ type: 'StockShipped', data: { productId: 'p-2', orderId, quantity: 1 } }] },
    ]);
  });

  it('moves no stock for placing (checkout reserves it), payment or delivery', () => {
    expect(stockMovements(orderDecider.initialState, [placed])).toEqual([]);
    expect(stockMovements(fold(orderDecider, [placed]), [paid])).toEqual([]);
    expect(stockMovements(fold(orderDecider, [placed, paid, shipped]), [delivered])).toEqual([]);
    expect(stockMovements(paidOrder(), [])).toEqual([]);
  });
});

describe('orderWithStockDecider', () => {
  const withStock = deciderSpec(orderWithStockDecider);

  it("appends the order's events and its stock movements to each product, at any version", () => {
    withStock
      .given([placed, paid])
      .when(cancel())
      .then({
        events: [cancelled],
        also: [
          { streamId: 'p-1', streamType: 'product', events: [{ type: 'StockReleased', data: { productId: 'p-1', orderId, quantity: 2 } }], expect: 'any' },
          { streamId: 'p-2', streamType: 'product', events: [{ type: 'StockReleased', data: { productId: 'p-2', orderId, quantity: 1 } }], expect: 'any' },
        ],
      });
  });

  it('moves no stock for a payment, and refuses as the order decider does', () => {
    withStock.given([placed]).when(pay()).then({ events: [paid], also: [] });
    withStock.given([placed, paid]).when(ship(alice)).thenThrows('FORBIDDEN');
  });
});

describe('orderTotal', () => {
  it('sums quantity times unit price', () => {
    expect(orderTotal(lines)).toBe(2 * 1250 + 499);
    expect(orderTotal([])).toBe(0);
  });

  it('stays exact at the largest cart the bounds allow', () => {
    const largest = Array.from({ length: 100 }, () => ({ quantity: 1000, unitPriceCents: 100_000_000 }));
    expect(orderTotal(largest)).toBe(10_000_000_000_000);
    expect(Number.isSafeInteger(orderTotal(largest))).toBe(true);
  });
});

describe('discountRelease', () => {
  const withCode = (redemptionStreamId: string): OrderEvent => ({
    type: 'OrderPlaced',
    data: { ...(placed.data as Extract<OrderEvent, { type: 'OrderPlaced' }>['data']), discountCode: { id: 'd-1', code: 'SPRING10', redemptionStreamId } },
  });
  const released = { type: 'DiscountRedemptionReleased', data: { codeId: 'd-1', orderId, customerId: 'alice' } };

  it("gives a cancelled order's redemption back to the code's stream, or to the customer's", () => {
    expect(discountRelease(fold(orderDecider, [withCode('d-1'), paid]), [cancelled])).toEqual({ streamId: 'd-1', streamType: 'discount-code', events: [released] });
    expect(discountRelease(fold(orderDecider, [withCode('r-1')]), [cancelled])).toEqual({ streamId: 'r-1', streamType: 'discount-redemptions', events: [released] });
  });

  it('gives nothing back without a code (an order placed before codes existed included) or without a cancellation', () => {
    expect(discountRelease(fold(orderDecider, [placed]), [cancelled])).toBeNull();
    expect(discountRelease(fold(orderDecider, [withCode('d-1')]), [paid])).toBeNull();
    expect(discountRelease(fold(orderDecider, [withCode('d-1'), paid]), [shipped])).toBeNull();
  });
});
