import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { address } from '../support/shop.js';

describe('cart commands over HTTP', () => {
  const t = useTestApp();
  const s = t.shop;
  const alice = t.token('alice');
  const bob = t.token('bob');

  it('creates a cart owned by the caller', async () => {
    const res = await t.http().post('/carts').set('Authorization', alice).send({}).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), version: 1, position: expect.any(String) });
    expect((await s.stream(res.body.id))[0]).toMatchObject({ type: 'CartCreated', data: { cartId: res.body.id, customerId: 'alice' } });
  });

  it('adds items, merging a product already in the cart, sets quantities and removes lines', async () => {
    const [p1, p2] = [await s.product(), await s.product()];
    const cart = await s.cart(alice);
    await s.add(alice, cart, p1, 2);
    const merged = await s.add(alice, cart, p1, 3);
    expect(merged.body.version).toBe(3);
    await s.add(alice, cart, p2, 1);
    await t.http().put(`/carts/${cart}/items/${p2}`).set('Authorization', alice).send({ quantity: 7 }).expect(200);
    await t.http().delete(`/carts/${cart}/items/${p1}`).set('Authorization', alice).expect(200);
    await t.http().put(`/carts/${cart}/items/${p2}`).set('Authorization', alice).send({ quantity: 0 }).expect(200);
    const events = await s.stream(cart);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['CartCreated', { cartId: cart, customerId: 'alice' }],
      ['CartItemAdded', { cartId: cart, productId: p1, quantity: 2 }],
      ['CartItemAdded', { cartId: cart, productId: p1, quantity: 3 }],
      ['CartItemAdded', { cartId: cart, productId: p2, quantity: 1 }],
      ['CartItemQuantityChanged', { cartId: cart, productId: p2, quantity: 7 }],
      ['CartItemRemoved', { cartId: cart, productId: p1 }],
      ['CartItemRemoved', { cartId: cart, productId: p2 }],
    ]);
  });

  it('answers 404 for an unknown product, a missing line or a missing cart', async () => {
    const cart = await s.cart(alice);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId: unknown, quantity: 1 }).expect(404)).body.code).toBe('NOT_FOUND');
    await t.http().delete(`/carts/${cart}/items/${unknown}`).set('Authorization', alice).expect(404);
    await t.http().post(`/carts/${unknown}/items`).set('Authorization', alice).send({ productId: await s.product(), quantity: 1 }).expect(404);
    expect((await s.stream(cart)).length).toBe(1);
  });

  it('rejects prices, totals, owners and bad quantities (400) and writes nothing', async () => {
    const cart = await s.cart(alice);
    const productId = await s.product();
    for (const body of [
      { productId, quantity: 1, unitPriceCents: 1 },
      { productId, quantity: 0 },
      { productId, quantity: 1001 },
      { productId, quantity: 1.5 },
      { productId: 'nope', quantity: 1 },
      { quantity: 1 },
    ]) {
      const res = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send(body);
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    await t.http().put(`/carts/${cart}/items/${productId}`).set('Authorization', alice).send({ quantity: -1 }).expect(400);
    expect((await s.stream(cart)).length).toBe(1);
  });

  it('answers 409 LINE_QUANTITY_EXCEEDED when a merged line would pass 1000', async () => {
    const cart = await s.cart(alice);
    const productId = await s.product();
    await s.add(alice, cart, productId, 600);
    const res = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 401 }).expect(409);
    expect(res.body.code).toBe('LINE_QUANTITY_EXCEEDED');
  });

  it("hides another customer's cart: 404, and nothing written", async () => {
    const cart = await s.cart(alice);
    const productId = await s.product();
    await t.http().post(`/carts/${cart}/items`).set('Authorization', bob).send({ productId, quantity: 1 }).expect(404);
    await t.http().put(`/carts/${cart}/items/${productId}`).set('Authorization', bob).send({ quantity: 1 }).expect(404);
    await t.http().post(`/carts/${cart}/checkout`).set('Authorization', bob).send({ shippingAddress: address }).expect(404);
    expect((await s.stream(cart)).length).toBe(1);
  });

  it('makes a command conditional with If-Match: 412 WRONG_EXPECTED_VERSION and nothing written', async () => {
    const cart = await s.cart(alice);
    const productId = await s.product();
    const stale = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"7"').send({ productId, quantity: 1 }).expect(412);
    expect(stale.body.code).toBe('WRONG_EXPECTED_VERSION');
    expect((await s.stream(cart)).length).toBe(1);
    const ok = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"1"').send({ productId, quantity: 1 }).expect(200);
    expect(ok.body.version).toBe(2);
    await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"1"').send({ productId, quantity: 1 }).expect(412);
    await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', 'banana').send({ productId, quantity: 1 }).expect(400);
  });

  it('lets 25 concurrent adds to one cart all succeed', async () => {
    const cart = await s.cart(alice);
    const productId = await s.product();
    const results = await Promise.all(Array.from({ length: 25 }, () => t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 })));
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(new Set(results.map((r) => r.body.version)).size).toBe(25);
    const added = (await s.stream(cart)).filter((e) => e.type === 'CartItemAdded');
    expect(added.length).toBe(25);
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for a repeat and writes nothing', async () => {
      const first = await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'k-create-1').send({}).expect(201);
      const again = await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'k-create-1').send({}).expect(201);
      expect(again.body).toEqual(first.body);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toBe(first.headers['content-type']);
      // Another caller's key is another key.
      const bobs = await t.http().post('/carts').set('Authorization', bob).set('Idempotency-Key', 'k-create-1').send({}).expect(201);
      expect(bobs.body.id).not.toBe(first.body.id);

      const cart = first.body.id;
      const productId = await s.product();
      const add = () => t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('Idempotency-Key', 'k-add-1').send({ productId, quantity: 2 });
      const a = await add().expect(200);
      const b = await add().expect(200);
      expect(b.body).toEqual(a.body);
      expect((await s.stream(cart)).filter((e) => e.type === 'CartItemAdded').length).toBe(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
      const cart = await s.cart(alice);
      const productId = await s.product();
      await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('Idempotency-Key', 'k-reuse').send({ productId, quantity: 2 }).expect(200);
      const res = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('Idempotency-Key', 'k-reuse').send({ productId, quantity: 3 }).expect(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect((await s.stream(cart)).length).toBe(2);
    });

    it('writes once when requests with one key arrive at the same time', async () => {
      const productId = await s.product();
      const cart = await s.cart(alice);
      const add = () => t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('Idempotency-Key', 'k-concurrent').send({ productId, quantity: 1 });
      const results = await Promise.all(Array.from({ length: 10 }, add));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
      // One request wrote; the nine others (found the key before their command, or lost it in their append) replayed its answer.
      expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
      expect((await s.stream(cart)).filter((e) => e.type === 'CartItemAdded').length).toBe(1);

      const creates = await Promise.all(Array.from({ length: 10 }, () => t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'k-concurrent-create').send({})));
      expect(creates.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(creates.map((r) => r.body.id)).size).toBe(1);
    });

    it('rejects an over-long key', async () => {
      await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'k'.repeat(201)).send({}).expect(400);
    });
  });
});
