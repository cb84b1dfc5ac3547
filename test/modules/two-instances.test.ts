import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { shop } from '../support/shop.js';

/**
 * Two service instances on one database. Each keeps an in-process cache of folded aggregates; these
 * tests prove a stale cache never produces a wrong answer or a lost write.
 */
describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ DATABASE_URL: a.databaseUrl });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('interleaves commands on one cart without losing or refusing any', async () => {
    const sa = shop(a);
    const alice = a.token('alice');
    const productId = await sa.product();
    const cart = await sa.cart(alice);
    await sa.add(alice, cart, productId, 1); // warms instance a's cache at version 2
    for (let i = 0; i < 5; i++) {
      const viaB = await b.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200);
      const viaA = await a.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200);
      expect(viaA.body.version).toBe(viaB.body.version + 1);
    }
    const added = (await sa.stream(cart)).filter((e) => e.type === 'CartItemAdded');
    expect(added.length).toBe(11);
  });

  it('does not refuse a checkout on stale stock: the refusal is re-checked against the database', async () => {
    const sa = shop(a);
    const sb = shop(b);
    const alice = a.token('alice');
    const productId = await sa.product({ stock: 1 });
    const cart = await sa.cart(alice);
    await sa.add(alice, cart, productId, 3);
    // Instance a folds the product at 1 unit and refuses.
    expect((await sa.checkout(alice, cart)).body.code).toBe('INSUFFICIENT_STOCK');
    // Instance b restocks; a's cached view is now stale.
    await b.http().post(`/products/${productId}/stock`).set('Authorization', sb.admin).send({ delta: 5 }).expect(200);
    const res = await sa.checkout(alice, cart);
    expect(res.status).toBe(201);
  });

  it('answers If-Match from the database, not from a stale cache', async () => {
    const sa = shop(a);
    const alice = a.token('alice');
    const productId = await sa.product();
    const cart = await sa.cart(alice);
    await sa.add(alice, cart, productId, 1); // a caches version 2
    await b.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200); // version 3
    await a.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"3"').send({ productId, quantity: 1 }).expect(200);
    await a.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"3"').send({ productId, quantity: 1 }).expect(412);
  });

  it('shows a write made through one instance to a read through the other', async () => {
    const sa = shop(a);
    const alice = a.token('alice');
    const productId = await sa.product();
    const cart = await sa.cart(alice);
    for (let i = 1; i <= 5; i++) {
      const command = await b.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200);
      const read = await a.http().get(`/carts/${cart}`).set('Authorization', alice).set('X-Min-Position', command.body.position).expect(200);
      expect(read.body.items).toEqual([expect.objectContaining({ productId, quantity: i })]);
    }
  });
});
