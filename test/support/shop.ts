import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import type { TestApp } from './app.js';

/** Shortcuts for arranging a shop through its real HTTP API. */
export function shop(t: TestApp) {
  const admin = t.token('admin-1', ['admin']);
  return {
    admin,
    async product(overrides: Partial<{ sku: string; name: string; priceCents: number; stock: number }> = {}): Promise<string> {
      const body = { sku: `SKU-${randomUUID().slice(0, 8)}`, name: 'Thing', priceCents: 1000, stock: 100, ...overrides };
      const res = await t.http().post('/products').set('Authorization', admin).send(body).expect(201);
      return res.body.id;
    },
    async cart(customer: string): Promise<string> {
      const res = await t.http().post('/carts').set('Authorization', customer).send({}).expect(201);
      return res.body.id;
    },
    async add(customer: string, cartId: string, productId: string, quantity: number) {
      return t.http().post(`/carts/${cartId}/items`).set('Authorization', customer).send({ productId, quantity }).expect(200);
    },
    async checkout(customer: string, cartId: string) {
      return t.http().post(`/carts/${cartId}/checkout`).set('Authorization', customer).send({ shippingAddress: address });
    },
    /** A placed order for `customer` with `quantity` of a fresh product. */
    async order(customer: string, options: { priceCents?: number; quantity?: number } = {}) {
      const productId = await this.product({ priceCents: options.priceCents ?? 1000 });
      const cartId = await this.cart(customer);
      await this.add(customer, cartId, productId, options.quantity ?? 2);
      const res = await this.checkout(customer, cartId);
      expect(res.status).toBe(201);
      return { orderId: res.body.id as string, cartId, productId };
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
