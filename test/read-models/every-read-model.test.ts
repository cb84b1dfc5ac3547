import { describe, expect, it } from 'vitest';
import { EventStore } from '../../src/event-store/event-store.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { useTestApp } from '../support/app.js';

/**
 * Every read model the runner knows, whatever module registers it: after a varied shop has run through
 * the HTTP API, the live tables equal a fresh rebuild from the log (verify), a rebuild succeeds, and the
 * GETs answer the same afterwards. A new module's read model is covered here without editing this file;
 * its own GETs belong in its module's tests, but the shop below should grow a step for its commands.
 */
describe('every registered read model', () => {
  const t = useTestApp();
  const s = t.shop;
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((customer) => t.token(customer));
  const ids = { products: [] as string[], carts: [] as Array<{ cartId: string; owner: string }>, orders: [] as string[] };

  /** Products, price and stock changes, carts edited every way, orders in every status. */
  async function runShop(): Promise<void> {
    const mug = await s.product({ name: 'Mug', priceCents: 1250, stock: 50 });
    const tea = await s.product({ name: 'Tea', priceCents: 499, stock: 20 });
    const lamp = await s.product({ name: 'Lamp', priceCents: 10_000, stock: 5 });
    const sticker = await s.product({ name: 'Sticker', priceCents: 0, stock: 1000 });
    ids.products.push(mug, tea, lamp, sticker);
    await s.adjustStock(mug, 25);
    await s.adjustStock(lamp, -2);
    await t.http().patch(`/products/${tea}`).set('Authorization', s.admin).send({ name: 'Green tea', description: 'Loose leaf' }).expect(200);

    const place = async (customer: string, lines: Array<{ productId: string; quantity: number }>, edit?: (cartId: string) => Promise<unknown>) => {
      const cartId = await s.cartWith(customer, lines);
      await edit?.(cartId);
      const res = await s.checkout(customer, cartId);
      expect(res.status).toBe(201);
      ids.carts.push({ cartId, owner: customer });
      ids.orders.push(res.body.id);
      return res.body.id as string;
    };
    const delivered = await place(alice, [{ productId: mug, quantity: 2 }, { productId: tea, quantity: 3 }], (cartId) =>
      t.http().put(`/carts/${cartId}/items/${tea}`).set('Authorization', alice).send({ quantity: 5 }).expect(200),
    );
    await s.pay(alice, delivered);
    await s.ship(delivered);
    await s.deliver(delivered);
    // Reviews: one posted and edited, one hidden.
    const review = (await t.http().post(`/products/${mug}/reviews`).set('Authorization', alice).send({ rating: 4, text: 'Good' }).expect(201)).body.id;
    await t.http().patch(`/reviews/${review}`).set('Authorization', alice).send({ rating: 5 }).expect(200);
    const hidden = (await t.http().post(`/products/${tea}/reviews`).set('Authorization', alice).send({ rating: 1, text: 'Bad' }).expect(201)).body.id;
    await t.http().post(`/reviews/${hidden}/hide`).set('Authorization', s.admin).send({ reason: 'rude' }).expect(200);
    await s.cancel(alice, await place(alice, [{ productId: lamp, quantity: 1 }]));
    const paidThenCancelled = await place(bob, [{ productId: mug, quantity: 1 }, { productId: sticker, quantity: 4 }], (cartId) =>
      t.http().delete(`/carts/${cartId}/items/${sticker}`).set('Authorization', bob).expect(200),
    );
    await s.pay(bob, paidThenCancelled);
    await s.cancel(s.admin, paidThenCancelled, 'fraud check failed');
    const shipped = await place(bob, [{ productId: tea, quantity: 2 }, { productId: lamp, quantity: 1 }]);
    await s.pay(s.admin, shipped);
    await s.ship(shipped);
    await place(carol, [{ productId: sticker, quantity: 10 }]);

    // Open carts, one of them priced after a later price change.
    ids.carts.push({ cartId: await s.cartWith(carol, [{ productId: tea, quantity: 1 }, { productId: mug, quantity: 3 }]), owner: carol });
    ids.carts.push({ cartId: await s.cart(carol), owner: carol });
    await t.http().patch(`/products/${mug}`).set('Authorization', s.admin).send({ priceCents: 1500 }).expect(200);
    await s.adjustStock(sticker, -10);
  }

  /** What clients see of every read model, as JSON bodies. */
  async function answers(): Promise<Record<string, unknown>> {
    const today = new Date().toISOString().slice(0, 10);
    const get = async (path: string, authorization = s.admin) => (await t.http().get(path).set('Authorization', authorization).expect(200)).body;
    const seen: Record<string, unknown> = {
      products: await get('/products?limit=100'),
      orders: await get('/orders?limit=100'),
      bobsOrders: await get('/orders?limit=100', bob),
      sales: await get(`/reports/sales?from=${today}&to=${today}`),
      topProducts: await get(`/reports/top-products?from=${today}&to=${today}`),
    };
    for (const id of ids.products) {
      seen[`product ${id}`] = await get(`/products/${id}`);
      seen[`reviews ${id}`] = await get(`/products/${id}/reviews`);
      seen[`rating ${id}`] = await get(`/products/${id}/rating`);
    }
    for (const { cartId, owner } of ids.carts) seen[`cart ${cartId}`] = await get(`/carts/${cartId}`, owner);
    for (const id of ids.orders) seen[`order ${id}`] = await get(`/orders/${id}`);
    return seen;
  }

  it('verifies every read model against the log, rebuilds each, and answers the same afterwards', async () => {
    await runShop();
    const runner = t.app.get(ProjectionRunner);
    const head = await t.app.get(EventStore).headPosition();
    expect(await runner.waitForPosition(runner.names, head, 30_000), 'every projection caught up').toBe(true);
    expect(runner.names.length).toBeGreaterThan(0);
    const before = await answers();

    for (const name of runner.names) {
      expect(await runner.verify(name), `${name}: live tables against a rebuild`).toEqual([]);
      await runner.rebuild(name);
      expect(await runner.verify(name), `${name}: rebuilt tables against a rebuild`).toEqual([]);
    }

    expect(await answers()).toEqual(before);
  });
});
