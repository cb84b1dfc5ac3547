import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import type { OrderPlaced } from '../../src/modules/orders/order.events.js';
import type { TestApp } from './app.js';

export type Shop = ReturnType<typeof shop>;

/**
 * Shortcuts for arranging a shop through its real HTTP API. Each one expects success; a test about a
 * refusal sends its own request. Customers are bearer header values (`t.token('alice')`).
 */
export function shop(t: TestApp) {
  const admin = t.token('admin-1', ['admin']);
  return {
    admin,
    async product(overrides: Partial<{ sku: string; name: string; priceCents: number; stock: number }> = {}): Promise<string> {
      const body = { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Thing', priceCents: 1000, stock: 100, ...overrides };
      const res = await t.http().post('/products').set('Authorization', admin).send(body).expect(201);
      return res.body.id;
    },
    async adjustStock(productId: string, delta: number) {
      return t.http().post(`/products/${productId}/stock`).set('Authorization', admin).send({ delta }).expect(200);
    },
    async cart(customer: string): Promise<string> {
      const res = await t.http().post('/carts').set('Authorization', customer).send({}).expect(201);
      return res.body.id;
    },
    /** A new cart of `customer` holding these lines. */
    async cartWith(customer: string, lines: ReadonlyArray<{ productId: string; quantity: number }>): Promise<string> {
      const cartId = await this.cart(customer);
      for (const { productId, quantity } of lines) await this.add(customer, cartId, productId, quantity);
      return cartId;
    },
    async add(customer: string, cartId: string, productId: string, quantity: number) {
      return t.http().post(`/carts/${cartId}/items`).set('Authorization', customer).send({ productId, quantity }).expect(200);
    },
    /** The raw answer: tests of checkout's refusals read it. */
    async checkout(customer: string, cartId: string) {
      return t.http().post(`/carts/${cartId}/checkout`).set('Authorization', customer).send({ shippingAddress: address });
    },
    /** A placed order for `customer` with `quantity` of a fresh product. */
    async order(customer: string, options: { priceCents?: number; quantity?: number } = {}) {
      const productId = await this.product({ priceCents: options.priceCents ?? 1000 });
      const cartId = await this.cartWith(customer, [{ productId, quantity: options.quantity ?? 2 }]);
      const res = await this.checkout(customer, cartId);
      expect(res.status).toBe(201);
      return { orderId: res.body.id as string, cartId, productId };
    },
    /** Pays the order's exact total (read from its OrderPlaced event, so no read model lag) unless told otherwise. */
    async pay(customer: string, orderId: string, amountCents?: number) {
      const amount = amountCents ?? (await this.orderTotal(orderId));
      return t.http().post(`/orders/${orderId}/pay`).set('Authorization', customer).send({ amountCents: amount, paymentReference: `pay-${orderId}` }).expect(200);
    },
    async ship(orderId: string, shipment: { carrier: string; trackingNumber: string } = { carrier: 'UPS', trackingNumber: `1Z-${orderId.slice(0, 8)}` }) {
      return t.http().post(`/orders/${orderId}/ship`).set('Authorization', admin).send(shipment).expect(200);
    },
    async deliver(orderId: string) {
      return t.http().post(`/orders/${orderId}/deliver`).set('Authorization', admin).send({}).expect(200);
    },
    async cancel(customer: string, orderId: string, reason = 'changed my mind') {
      return t.http().post(`/orders/${orderId}/cancel`).set('Authorization', customer).send({ reason }).expect(200);
    },
    /** A placed order of `customer` taken through pay, ship and deliver. */
    async deliveredOrder(customer: string, options: { priceCents?: number; quantity?: number } = {}) {
      const order = await this.order(customer, options);
      await this.pay(customer, order.orderId);
      await this.ship(order.orderId);
      await this.deliver(order.orderId);
      return order;
    },
    async orderTotal(orderId: string): Promise<number> {
      const [placed] = await this.stream(orderId);
      expect(placed?.type).toBe('OrderPlaced');
      return (placed.data as OrderPlaced['data']).totalCents;
    },
    stream(id: string): Promise<StoredEvent[]> {
      return t.app.get(EventStore).readStream(id);
    },
    async types(id: string): Promise<string[]> {
      return (await this.stream(id)).map((e) => e.type);
    },
  };
}

export const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
