import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('product reviews over HTTP', () => {
  const t = useTestApp();
  const s = t.shop;
  const alice = t.token('alice');
  const bob = t.token('bob');

  const post = (customer: string, productId: string, body: object = { rating: 4, text: 'Keeps tea hot' }) =>
    t.http().post(`/products/${productId}/reviews`).set('Authorization', customer).send(body);
  /** Reads that reflect everything up to `position`. */
  const list = (productId: string, position: string, query = '') => t.http().get(`/products/${productId}/reviews${query}`).set('X-Min-Position', position).expect(200);
  const rating = (productId: string, position: string) => t.http().get(`/products/${productId}/rating`).set('X-Min-Position', position).expect(200);

  it('accepts a review as soon as the deliver command has answered, and shows it without its author', async () => {
    const { productId } = await s.deliveredOrder(alice);
    const res = await post(alice, productId).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), version: 1, position: expect.any(String) });

    const page = await list(productId, res.body.position);
    expect(page.body).toEqual({
      items: [{ id: res.body.id, rating: 4, text: 'Keeps tea hot', createdAt: expect.any(String), updatedAt: expect.any(String) }],
      nextCursor: null,
    });
    expect((await rating(productId, res.body.position)).body).toEqual({ count: 1, average: 4, stars: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 } });
  });

  it('refuses a customer without a delivered order holding the product (409 REVIEW_NOT_ALLOWED), writing nothing', async () => {
    const { orderId, productId } = await s.order(alice);
    expect((await post(alice, productId).expect(409)).body.code).toBe('REVIEW_NOT_ALLOWED');
    await s.pay(alice, orderId);
    await s.ship(orderId);
    expect((await post(alice, productId).expect(409)).body.code).toBe('REVIEW_NOT_ALLOWED');
    await s.deliver(orderId);
    // Someone else's delivery is not bob's purchase.
    expect((await post(bob, productId).expect(409)).body.code).toBe('REVIEW_NOT_ALLOWED');
    await post(alice, productId).expect(201);
  });

  it('answers 404 for a product that does not exist, on every route', async () => {
    const missing = randomUUID();
    expect((await post(alice, missing).expect(404)).body.code).toBe('NOT_FOUND');
    await t.http().get(`/products/${missing}/reviews`).expect(404);
    await t.http().get(`/products/${missing}/rating`).expect(404);
  });

  it('takes one review per customer and product, also when ten arrive at once', async () => {
    const { productId } = await s.deliveredOrder(alice);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(alice, productId, { rating: 1 + (i % 5), text: `take ${i}` })));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(1);
    const refused = answers.filter((res) => res.status === 409);
    expect(refused).toHaveLength(9);
    expect(new Set(refused.map((res) => res.body.code))).toEqual(new Set(['REVIEW_EXISTS']));
    const created = answers.find((res) => res.status === 201)!;
    expect(await s.types(created.body.id)).toEqual(['ReviewPosted']);
  });

  it("lets its author edit it; anyone else gets 403; a hidden review can be edited by no one", async () => {
    const { productId } = await s.deliveredOrder(alice);
    const { id } = (await post(alice, productId).expect(201)).body;
    const edited = await t.http().patch(`/reviews/${id}`).set('Authorization', alice).send({ rating: 5, text: 'Even better' }).expect(200);
    expect(edited.body.version).toBe(2);
    expect((await t.http().patch(`/reviews/${id}`).set('Authorization', bob).send({ rating: 1 }).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await t.http().patch(`/reviews/${randomUUID()}`).set('Authorization', alice).send({ rating: 1 }).expect(404)).body.code).toBe('NOT_FOUND');

    const page = await list(productId, edited.body.position);
    expect(page.body.items[0]).toMatchObject({ rating: 5, text: 'Even better' });
    expect(page.body.items[0].updatedAt >= page.body.items[0].createdAt).toBe(true);

    await t.http().post(`/reviews/${id}/hide`).set('Authorization', s.admin).send({ reason: 'spam' }).expect(200);
    expect((await t.http().patch(`/reviews/${id}`).set('Authorization', alice).send({ rating: 2 }).expect(409)).body.code).toBe('REVIEW_HIDDEN');
  });

  it('hides a review (admins only) from the list and the rating', async () => {
    const first = await s.deliveredOrder(alice);
    const productId = first.productId;
    const bobs = await s.cartWith(bob, [{ productId, quantity: 1 }]);
    const bobOrder = (await s.checkout(bob, bobs)).body.id;
    await s.pay(bob, bobOrder);
    await s.ship(bobOrder);
    await s.deliver(bobOrder);
    const a = (await post(alice, productId, { rating: 5, text: 'Love it' }).expect(201)).body;
    const b = (await post(bob, productId, { rating: 2, text: 'Meh' }).expect(201)).body;
    expect((await rating(productId, b.position)).body).toEqual({ count: 2, average: 3.5, stars: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 } });

    expect((await t.http().post(`/reviews/${b.id}/hide`).set('Authorization', bob).send({ reason: 'mine' }).expect(403)).body.code).toBe('FORBIDDEN');
    const hidden = await t.http().post(`/reviews/${b.id}/hide`).set('Authorization', s.admin).send({ reason: 'rude' }).expect(200);
    expect((await list(productId, hidden.body.position)).body.items.map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect((await rating(productId, hidden.body.position)).body).toEqual({ count: 1, average: 5, stars: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 } });
    // Hiding again changes nothing.
    const again = await t.http().post(`/reviews/${b.id}/hide`).set('Authorization', s.admin).send({ reason: 'rude' }).expect(200);
    expect(again.body.version).toBe(hidden.body.version);
  });

  it('pages a product\'s reviews newest first, and rounds the average half up to one decimal', async () => {
    const productId = await s.product({ stock: 1000 });
    const ratings = [5, 4, 4];
    let position = '0';
    const ids: string[] = [];
    for (const [i, stars] of ratings.entries()) {
      const customer = t.token(`pager-${i}`);
      const cart = await s.cartWith(customer, [{ productId, quantity: 1 }]);
      const orderId = (await s.checkout(customer, cart)).body.id;
      await s.pay(customer, orderId);
      await s.ship(orderId);
      await s.deliver(orderId);
      const res = (await post(customer, productId, { rating: stars, text: `review ${i}` }).expect(201)).body;
      ids.push(res.id);
      position = res.position;
    }
    const first = await list(productId, position, '?limit=2');
    expect(first.body.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await list(productId, position, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    // 13 / 3 = 4.333... -> 4.3
    expect((await rating(productId, position)).body.average).toBe(4.3);
  });

  it('refuses bad bodies with 400 VALIDATION_FAILED', async () => {
    const { productId } = await s.deliveredOrder(alice);
    for (const body of [{ rating: 0, text: 'x' }, { rating: 6, text: 'x' }, { rating: 3.5, text: 'x' }, { rating: 3, text: '' }, { rating: 3, text: 'x'.repeat(2001) }, { rating: 3 }, { rating: 3, text: 'x', author: 'me' }]) {
      expect((await post(alice, productId, body).expect(400)).body.code).toBe('VALIDATION_FAILED');
    }
    await t.http().post(`/reviews/${randomUUID()}/hide`).set('Authorization', s.admin).send({ reason: '' }).expect(400);
    await t.http().get(`/products/${productId}/reviews?cursor=bad!`).expect(400);
  });
});
