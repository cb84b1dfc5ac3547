import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { address } from '../support/shop.js';
import { logSize } from './log-size.js';

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('input hygiene', () => {
  const t = useTestApp();
  const s = t.shop;
  const alice = t.token('alice');
  let ids: { productId: string; cartId: string; orderId: string };

  beforeAll(async () => {
    const { orderId, productId } = await s.order(alice);
    ids = { productId, orderId, cartId: await s.cart(alice) };
  });

  /** Sends the request and expects 400 VALIDATION_FAILED with nothing written. */
  async function expectRefused(send: () => PromiseLike<{ status: number; body: { code?: string } }>) {
    const before = await logSize(t);
    const res = await send();
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await logSize(t)).toBe(before);
  }

  describe.each([
    ['NUL', NUL],
    ['an unpaired surrogate', LONE_SURROGATE],
  ])('a string holding %s', (_, bad) => {
    it('is refused in body values, keys and nested objects', async () => {
      await expectRefused(() => t.http().post('/products').set('Authorization', s.admin).send({ sku: 'S-1', name: bad, priceCents: 1, stock: 1 }));
      await expectRefused(() => t.http().patch(`/products/${ids.productId}`).set('Authorization', s.admin).send({ description: bad }));
      await expectRefused(() => t.http().post(`/carts/${ids.cartId}/checkout`).set('Authorization', alice).send({ shippingAddress: { ...address, name: bad } }));
      await expectRefused(() => t.http().post(`/orders/${ids.orderId}/cancel`).set('Authorization', alice).send({ reason: bad }));
      await expectRefused(() => t.http().post('/carts').set('Authorization', alice).send({ [bad]: 1 }));
    });

    it('is refused in path parameters', async () => {
      const encoded = bad === NUL ? 'a%00b' : 'a%ED%A0%80b';
      const res = await t.http().post(`/admin/projections/${encoded}/rebuild`).set('Authorization', s.admin);
      expect(res.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.any(String), ...(bad === NUL ? { details: expect.any(Array) } : {}) });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });
  });

  // Percent-encoded UTF-8 cannot carry a lone surrogate (the query parser decodes one to U+FFFD); NUL it can.
  it('refuses NUL in the query (search, filters, cursors)', async () => {
    await expectRefused(() => t.http().get('/products').query({ q: NUL }));
    await expectRefused(() => t.http().get('/products').query({ cursor: NUL }));
    await expectRefused(() => t.http().get('/orders').set('Authorization', alice).query({ status: NUL }));
    await expectRefused(() => t.http().get('/admin/events').set('Authorization', s.admin).query({ type: NUL }));
    expect((await t.http().get('/products?q=a%ED%A0%80b')).status).toBe(200);
  });

  it("answers 404, writing nothing, to an id of another kind (a cart's id as a product's)", async () => {
    const { productId, cartId, orderId } = ids;
    const attempts = [
      () => t.http().patch(`/products/${cartId}`).set('Authorization', s.admin).send({ name: 'x' }),
      () => t.http().post(`/products/${orderId}/stock`).set('Authorization', s.admin).send({ delta: 1 }),
      () => t.http().post(`/carts/${productId}/items`).set('Authorization', alice).send({ productId, quantity: 1 }),
      () => t.http().post(`/carts/${cartId}/items`).set('Authorization', alice).send({ productId: orderId, quantity: 1 }),
      () => t.http().post(`/carts/${orderId}/checkout`).set('Authorization', alice).send({ shippingAddress: address }),
      () => t.http().post(`/orders/${cartId}/cancel`).set('Authorization', alice).send({ reason: 'x' }),
    ];
    for (const send of attempts) {
      const before = await logSize(t);
      const res = await send();
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(await logSize(t)).toBe(before);
    }
  });

  it('range-checks bigint positions: ?after beyond bigint is 400, its largest value is fine', async () => {
    await expectRefused(() => t.http().get('/admin/events').set('Authorization', s.admin).query({ after: '9223372036854775808' }));
    await expectRefused(() => t.http().get('/admin/events').set('Authorization', s.admin).query({ after: '99999999999999999999' }));
    const ok = await t.http().get('/admin/events').set('Authorization', s.admin).query({ after: '9223372036854775807' });
    expect(ok.status).toBe(200);
    expect(ok.body.events).toEqual([]);
  });

  describe('JSON depth', () => {
    const postJson = (path: string, json: string, token = alice) =>
      t.http().post(path).set('Authorization', token).set('Content-Type', 'application/json').send(json);

    it('refuses JSON nested 3,000 levels deep with 400, not a stack overflow', async () => {
      for (const json of [nested(3000), `{"shippingAddress":${nested(3000)}}`, '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)]) {
        const res = await postJson(`/carts/${ids.cartId}/checkout`, json);
        expect({ status: res.status, code: res.body.code, message: res.body.message }).toEqual({
          status: 400,
          code: 'VALIDATION_FAILED',
          message: 'JSON nested deeper than 32 levels',
        });
      }
    });

    it('allows 32 levels and refuses 33', async () => {
      const at = (depth: number) => `{"pad":${nested(depth - 1)}}`;
      const ok = await postJson('/carts', at(32));
      expect(ok.body.message).not.toMatch(/nested/); // refused, but for the unknown property
      expect(ok.body.details).toEqual([expect.objectContaining({ field: 'pad' })]);
      const deep = await postJson('/carts', at(33));
      expect(deep.body.message).toBe('JSON nested deeper than 32 levels');
    });

    it('ignores brackets inside strings, escaped quotes included', async () => {
      const name = `["\\"${'['.repeat(100)}`;
      const res = await t.http().patch(`/products/${ids.productId}`).set('Authorization', s.admin).send({ name });
      expect(res.status).toBe(200);
      const product = await t.http().get(`/products/${ids.productId}`).set('X-Min-Position', res.body.position).expect(200);
      expect(product.body.name).toBe(name);
    });

    it("keeps Fastify's protections: prototype poisoning and the 64 KiB limit", async () => {
      expect((await postJson('/carts', '{"__proto__":{"isAdmin":true}}')).status).toBe(400);
      expect((await postJson('/carts', '{"constructor":{"prototype":{"isAdmin":true}}}')).status).toBe(400);
      expect((await postJson('/carts', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }))).status).toBe(413);
      expect((await postJson('/carts', '{"oops":')).body.code).toBe('MALFORMED_JSON');
    });
  });

  it('refuses null where the contract names no null, writing nothing', async () => {
    await expectRefused(() => t.http().patch(`/products/${ids.productId}`).set('Authorization', s.admin).send({ name: null }));
    await expectRefused(() => t.http().patch(`/products/${ids.productId}`).set('Authorization', s.admin).send({ description: null, priceCents: null }));
    await expectRefused(() => t.http().post(`/carts/${ids.cartId}/checkout`).set('Authorization', alice).send({ shippingAddress: { ...address, line2: null } }));
  });

  it('refuses a body that is not a JSON object; {} or no body is fine', async () => {
    for (const json of ['[]', 'null', '1', '"x"', 'true']) {
      await expectRefused(() => t.http().post('/carts').set('Authorization', alice).set('Content-Type', 'application/json').send(json));
    }
    await expectRefused(() => t.http().post('/carts').set('Authorization', alice).set('Content-Type', 'text/plain').send('x'));
    await expectRefused(() => t.http().post(`/orders/${ids.orderId}/cancel`).set('Authorization', alice).type('form').send('reason=x'));
    await t.http().post('/carts').set('Authorization', alice).send({}).expect(201);
    await t.http().post('/carts').set('Authorization', alice).expect(201);
  });

  it('refuses an unknown body on a route that takes none', async () => {
    await expectRefused(() => t.http().post('/admin/projections/catalog/rebuild').set('Authorization', s.admin).send({ force: true }));
    const res = await t.http().delete(`/carts/${ids.cartId}/items/${ids.productId}`).set('Authorization', alice).send({ all: true });
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', details: [{ field: 'all' }] });
  });
});
