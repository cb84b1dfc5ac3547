import createClient, { type Middleware } from 'openapi-fetch';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
// Generated from the served document by `npm run lint:openapi` (openapi-typescript); `tsc` in `npm run lint`
// type-checks this file against it, so a field the document loses breaks the build.
import type { components, paths } from '../generated/openapi.js';
import { useTestApp, type TestApp } from '../support/app.js';
import { validateResponse } from '../support/openapi-validator.js';

/** The main flow as a frontend team would write it: only through a client generated from the document. */
describe('a client generated from the OpenAPI document', () => {
  const t = useTestApp();
  const admin = { Authorization: t.token('admin-1', ['admin']) };
  const alice = { Authorization: t.token('alice') };
  let api: ReturnType<typeof createClient<paths>>;

  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    api = createClient<paths>({ baseUrl: await t.app.getUrl() });
    api.use(documentedAnswers(t));
  });

  it('creates a product, opens a cart, adds to it, checks out and reads the order, with typed answers', async () => {
    const sku = `MUG-${Date.now()}`;
    const product = await api.POST('/products', { headers: admin, body: { sku, name: 'Red mug', priceCents: 1299, stock: 10 } });
    expect(product.response.status).toBe(201);
    const productId = product.data!.id;

    const cart = await api.POST('/carts', { headers: alice, params: { header: { 'Idempotency-Key': `cart-${sku}` } } });
    expect(cart.response.status).toBe(201);
    const cartId = cart.data!.id;

    const added = await api.POST('/carts/{id}/items', {
      headers: alice,
      params: { path: { id: cartId }, header: { 'If-Match': `"${cart.data!.version}"` } },
      body: { productId, quantity: 2 },
    });
    expect(added.data).toMatchObject({ id: cartId, version: 2 });

    const seen = await api.GET('/carts/{id}', { headers: alice, params: { path: { id: cartId }, header: { 'X-Min-Position': added.data!.position } } });
    expect(seen.data!.totalCents).toBe(2598);
    expect(seen.data!.items.map((item) => [item.sku, item.quantity, item.lineTotalCents])).toEqual([[sku, 2, 2598]]);

    const checkout = await api.POST('/carts/{id}/checkout', {
      headers: alice,
      params: { path: { id: cartId } },
      body: { shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' } },
    });
    expect(checkout.response.status).toBe(201);
    const { id: orderId, cartId: orderCartId, position } = checkout.data!;
    expect(orderCartId).toBe(cartId);

    const order = await api.GET('/orders/{id}', { headers: alice, params: { path: { id: orderId }, header: { 'X-Min-Position': position } } });
    expect(order.response.headers.get('X-Projection-Position')).toMatch(/^\d+$/);
    const placed: components['schemas']['OrderDto'] = order.data!;
    expect(placed).toMatchObject({ id: orderId, status: 'placed', totalCents: 2598, itemCount: 2, currency: 'USD' });
    expect(placed.items).toEqual([{ productId, sku, name: 'Red mug', quantity: 2, unitPriceCents: 1299, lineTotalCents: 2598 }]);
    expect(placed.shippingAddress.country).toBe('GB');

    const paid = await api.POST('/orders/{id}/pay', {
      headers: alice,
      params: { path: { id: orderId }, header: { 'If-Match': `"${placed.version}"` } },
      body: { amountCents: placed.totalCents, paymentReference: 'psp-1' },
    });
    expect(paid.data!.version).toBe(placed.version + 1);
  });

  it('types the errors: each status has its own code enum', async () => {
    const cart = await api.POST('/carts', { headers: alice, body: {} });
    const address = { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' };
    const empty = await api.POST('/carts/{id}/checkout', { headers: alice, params: { path: { id: cart.data!.id } }, body: { shippingAddress: address } });
    expect(empty.response.status).toBe(409);
    expect(empty.error).toEqual({ statusCode: 409, code: 'CART_EMPTY', message: expect.any(String) });
    // The error type is the union of the documented error bodies; its code, the union of their enums.
    expectTypeOf(empty.error!.code).toEqualTypeOf<
      | 'VALIDATION_FAILED' | 'MALFORMED_JSON' | 'MALFORMED_REQUEST' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND'
      | 'CART_EMPTY' | 'CART_CHECKED_OUT' | 'INSUFFICIENT_STOCK' | 'SHIPPING_METHOD_NOT_AVAILABLE' | 'DISCOUNT_NOT_APPLICABLE' | 'CONCURRENCY_CONFLICT' | 'WRONG_EXPECTED_VERSION'
      | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'IDEMPOTENCY_KEY_REUSED' | 'RATE_LIMITED' | 'UNAVAILABLE'
    >();

    const stale = await api.POST('/carts/{id}/items', {
      headers: alice,
      params: { path: { id: cart.data!.id }, header: { 'If-Match': '"7"' } },
      body: { productId: crypto.randomUUID(), quantity: 1 },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error?.code).toBe('WRONG_EXPECTED_VERSION');

    const missing = await api.GET('/products/{id}', { params: { path: { id: crypto.randomUUID() } } });
    expect(missing.error?.code).toBe('NOT_FOUND');
    expectTypeOf(missing.error!.code).toEqualTypeOf<'NOT_FOUND' | 'VALIDATION_FAILED' | 'UNAUTHENTICATED' | 'RATE_LIMITED' | 'UNAVAILABLE' | 'PROJECTION_LAGGING'>();
  });
});

/** Every answer the generated client gets is checked against the document too, as the supertest client's are. */
function documentedAnswers(t: TestApp): Middleware {
  return {
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      const isJson = /\bjson\b/.test(response.headers.get('content-type') ?? '');
      const problems = validateResponse(t.document, request.method, new URL(request.url).pathname, response.status, Object.fromEntries(response.headers), isJson && text ? JSON.parse(text) : text);
      if (problems.length > 0) throw new Error(`The answer does not match the OpenAPI document:\n- ${problems.join('\n- ')}`);
      return undefined;
    },
  };
}
