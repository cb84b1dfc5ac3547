import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { CART_STREAM } from '../../src/modules/carts/cart.events.js';
import { PRODUCT_STREAM } from '../../src/modules/catalog/product.events.js';
import { ORDER_STREAM, orderTotal, type OrderLine } from '../../src/modules/orders/order.events.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { useTestApp } from '../support/app.js';
import { address } from '../support/shop.js';

describe('query routes over HTTP', () => {
  // No payment timers: the fixtures place orders dated in the past and append to their streams directly,
  // and an expiry timer due at once would race those appends (and change the statuses asserted here).
  const t = useTestApp({ ORDER_PAYMENT_TIMEOUT_MINUTES: '0' });
  const admin = t.token('root', ['admin']);
  const alice = t.token('alice');
  const bob = t.token('bob');

  /** Appends one stream's events, as a command would; answers the position to wait for. */
  async function append(streamId: string, streamType: string, ...events: NewEvent[]): Promise<string> {
    const result = await t.app.get(EventStore).append([{ streamId, streamType, expectedVersion: 'any', events }], { correlationId: randomUUID(), actor: 'test' });
    return result.lastPosition;
  }

  async function product(sku: string, name: string, priceCents: number, stock = 50): Promise<{ id: string; position: string }> {
    const id = randomUUID();
    const position = await append(id, PRODUCT_STREAM, {
      type: 'ProductCreated',
      data: { productId: id, sku, name, description: `About ${name}`, priceCents, stock },
    });
    return { id, position };
  }

  async function order(customerId: string, placedAt: string, lines: OrderLine[]): Promise<{ id: string; position: string }> {
    const id = randomUUID();
    const data = { orderId: id, cartId: randomUUID(), customerId, lines, totalCents: orderTotal(lines), currency: 'USD', shippingAddress: address, placedAt };
    return { id, position: await append(id, ORDER_STREAM, { type: 'OrderPlaced', data }) };
  }

  const get = (path: string, position?: string, token?: string) => {
    const request = t.http().get(path);
    if (position) request.set('X-Min-Position', position);
    if (token) request.set('Authorization', token);
    return request;
  };

  describe('GET /products', () => {
    it('answers a product, with what open orders reserve taken off what is available, and the projection position', async () => {
      const { id } = await product(`MUG-${randomUUID().slice(0, 8)}`, 'Red mug', 1299, 40);
      const position = await append(id, PRODUCT_STREAM, { type: 'StockReserved', data: { productId: id, orderId: randomUUID(), quantity: 3 } });
      const res = await get(`/products/${id}`, position).expect(200);
      expect(res.body).toEqual({
        id,
        sku: expect.stringMatching(/^MUG-/),
        name: 'Red mug',
        description: 'About Red mug',
        priceCents: 1299,
        currency: 'USD',
        stockOnHand: 40,
        stockAvailable: 37,
        version: 2,
      });
      expect(BigInt(res.headers['x-projection-position'])).toBeGreaterThanOrEqual(BigInt(position));
    });

    it('answers 404 for an unknown product or an id that is not a UUID', async () => {
      expect((await get(`/products/${randomUUID()}`).expect(404)).body.code).toBe('NOT_FOUND');
      await get('/products/not-a-uuid').expect(404);
    });

    it('searches name and SKU case-insensitively and pages with nextCursor', async () => {
      const tag = randomUUID().slice(0, 8);
      await product(`A-${tag}`, 'Blue widget', 100);
      await product(`B-${tag}`, 'Green WIDGET', 100);
      const { position } = await product(`C-WIDGET-${tag}`, 'Gadget', 100);
      const lamp = await product(`D-${tag}`, 'Lamp', 100);

      const first = await get(`/products?q=widget&limit=2`, position).expect(200);
      const firstPage = first.body.items.filter((p: { sku: string }) => p.sku.endsWith(tag));
      expect(first.body.items).toHaveLength(2);
      const rest: Array<{ sku: string }> = [];
      let cursor: string | null = first.body.nextCursor;
      while (cursor) {
        const page = await get(`/products?q=widget&limit=2&cursor=${cursor}`).expect(200);
        rest.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      expect([...firstPage, ...rest.filter((p) => p.sku.endsWith(tag))].map((p) => p.sku)).toEqual([`A-${tag}`, `B-${tag}`, `C-WIDGET-${tag}`]);

      // After the last product too: without it, the read model may not have the lamp yet.
      const byTag = await get(`/products?q=${tag}`, lamp.position).expect(200);
      expect(byTag.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(byTag.body.items.map((p: { name: string }) => p.name)).toEqual(['Blue widget', 'Green WIDGET', 'Gadget', 'Lamp']);
    });

    it('answers 400 VALIDATION_FAILED for bad query parameters, unknown ones and cursors it did not issue', async () => {
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5', 'sort=name', 'cursor=***', `cursor=${Buffer.from('["x"]').toString('base64url')}`]) {
        const res = await get(`/products?${query}`);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });
  });

  describe('GET /carts/:id', () => {
    it("shows the owner its cart at current prices, and hides it from everyone else", async () => {
      const mug = await product(`MUG-${randomUUID().slice(0, 8)}`, 'Mug', 1200);
      const pen = await product(`PEN-${randomUUID().slice(0, 8)}`, 'Pen', 150);
      const cartId = randomUUID();
      await append(
        cartId,
        CART_STREAM,
        { type: 'CartCreated', data: { cartId, customerId: 'alice' } },
        { type: 'CartItemAdded', data: { cartId, productId: pen.id, quantity: 2 } },
        { type: 'CartItemAdded', data: { cartId, productId: mug.id, quantity: 1 } },
      );
      const position = await append(mug.id, PRODUCT_STREAM, { type: 'ProductUpdated', data: { productId: mug.id, priceCents: 1000 } });

      const res = await get(`/carts/${cartId}`, position, alice).expect(200);
      expect(res.body).toEqual({
        id: cartId,
        customerId: 'alice',
        status: 'open',
        items: [
          { productId: pen.id, sku: expect.stringMatching(/^PEN-/), name: 'Pen', quantity: 2, unitPriceCents: 150, lineTotalCents: 300 },
          { productId: mug.id, sku: expect.stringMatching(/^MUG-/), name: 'Mug', quantity: 1, unitPriceCents: 1000, lineTotalCents: 1000 },
        ],
        subtotalCents: 1300,
        discount: null,
        totalCents: 1300,
        currency: 'USD',
        version: 3,
      });
      expect(res.headers['x-projection-position']).toBeDefined();

      expect((await get(`/carts/${cartId}`, undefined, bob).expect(404)).body.code).toBe('NOT_FOUND');
      await get(`/carts/${cartId}`, undefined, admin).expect(403); // cart routes need the customer role
      await get(`/carts/${cartId}`).expect(401);
      await get(`/carts/${randomUUID()}`, undefined, alice).expect(404);
      await get('/carts/nope', undefined, alice).expect(404);
    });
  });

  describe('GET /orders', () => {
    const customer = `c-${randomUUID()}`;
    let ids: string[] = [];
    let position = '0';

    beforeAll(async () => {
      const line = (quantity: number): OrderLine[] => [{ productId: randomUUID(), sku: 'S', name: 'N', quantity, unitPriceCents: 500 }];
      const placed = [
        await order(customer, '2026-10-01T10:00:00.000Z', line(1)),
        await order(customer, '2026-10-02T10:00:00.000Z', line(2)),
        await order(customer, '2026-10-03T10:00:00.000Z', line(3)),
      ];
      await order(`someone-else-${randomUUID()}`, '2026-10-02T12:00:00.000Z', line(1));
      const paidId = placed[1].id;
      position = await append(paidId, ORDER_STREAM, {
        type: 'OrderPaid',
        data: { orderId: paidId, amountCents: 1000, paymentReference: 'ref', paidAt: '2026-10-02T11:00:00.000Z' },
      });
      ids = placed.map((o) => o.id).reverse();
    });

    it("lists a customer's own orders newest first, as summaries, a page at a time", async () => {
      const token = t.token(customer);
      const first = await get('/orders?limit=2', position, token).expect(200);
      expect(first.body.items.map((o: { id: string }) => o.id)).toEqual(ids.slice(0, 2));
      expect(first.body.items[1]).toEqual({
        id: ids[1],
        customerId: customer,
        status: 'paid',
        totalCents: 1000,
        currency: 'USD',
        itemCount: 2,
        placedAt: '2026-10-02T10:00:00.000Z',
        updatedAt: '2026-10-02T11:00:00.000Z',
      });
      const second = await get(`/orders?limit=2&cursor=${first.body.nextCursor}`, undefined, token).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });

      expect((await get(`/orders?customerId=${encodeURIComponent(customer)}`, undefined, token).expect(200)).body.items).toHaveLength(3);
      expect((await get('/orders?customerId=someone', undefined, token).expect(403)).body.code).toBe('FORBIDDEN');
    });

    it('filters by status and by a placedAt range, from inclusive and to exclusive', async () => {
      const token = t.token(customer);
      const paid = await get('/orders?status=paid', position, token).expect(200);
      expect(paid.body.items.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
      const range = await get('/orders?from=2026-10-02T10:00:00.000Z&to=2026-10-03T10:00:00.000Z', undefined, token).expect(200);
      expect(range.body.items.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    });

    it("lets an admin list everyone's orders, or one customer's", async () => {
      const all = await get('/orders?from=2026-10-01T00:00:00Z&to=2026-10-04T00:00:00Z', position, admin).expect(200);
      expect(all.body.items).toHaveLength(4);
      const one = await get(`/orders?customerId=${encodeURIComponent(customer)}`, undefined, admin).expect(200);
      expect(one.body.items.map((o: { id: string }) => o.id)).toEqual(ids);
    });

    it('answers 400 for bad filters', async () => {
      for (const query of ['status=lost', 'from=yesterday', 'limit=500', 'cursor=abc', 'page=2']) {
        const res = await get(`/orders?${query}`, undefined, alice);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
      await get('/orders').expect(401);
    });
  });

  describe('GET /reports', () => {
    it('reports sales per day and top products to admins; cancelled orders count nowhere', async () => {
      const mug = { productId: randomUUID(), sku: 'MUG', name: 'Mug' };
      const pen = { productId: randomUUID(), sku: 'PEN', name: 'Pen' };
      await order('alice', '2027-01-10T09:00:00.000Z', [{ ...mug, quantity: 2, unitPriceCents: 1000 }, { ...pen, quantity: 5, unitPriceCents: 100 }]);
      const dropped = await order('bob', '2027-01-11T09:00:00.000Z', [{ ...mug, quantity: 9, unitPriceCents: 1000 }]);
      await order('bob', '2027-01-12T23:59:59.999Z', [{ ...mug, quantity: 1, unitPriceCents: 1000 }]);
      const position = await append(dropped.id, ORDER_STREAM, {
        type: 'OrderCancelled',
        data: { orderId: dropped.id, reason: 'no', cancelledAt: '2027-01-11T10:00:00.000Z' },
      });

      const sales = await get('/reports/sales?from=2027-01-09&to=2027-01-12', position, admin).expect(200);
      expect(sales.body).toEqual({
        days: [
          { date: '2027-01-09', orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 },
          { date: '2027-01-10', orders: 1, itemsSold: 7, revenueCents: 2500, discountCents: 0, shippingCents: 0, taxCents: 0 },
          { date: '2027-01-11', orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 },
          { date: '2027-01-12', orders: 1, itemsSold: 1, revenueCents: 1000, discountCents: 0, shippingCents: 0, taxCents: 0 },
        ],
        totals: { orders: 2, itemsSold: 8, revenueCents: 3500, discountCents: 0, shippingCents: 0, taxCents: 0 },
      });
      expect(sales.headers['x-projection-position']).toBeDefined();

      const top = await get('/reports/top-products?from=2027-01-01&to=2027-01-31&limit=5', undefined, admin).expect(200);
      expect(top.body).toEqual([
        { ...pen, itemsSold: 5, revenueCents: 500 },
        { ...mug, itemsSold: 3, revenueCents: 3000 },
      ]);
    });

    it('is for admins only', async () => {
      expect((await get('/reports/sales?from=2027-01-01&to=2027-01-02', undefined, alice).expect(403)).body.code).toBe('FORBIDDEN');
      await get('/reports/top-products?from=2027-01-01&to=2027-01-02', undefined, alice).expect(403);
      await get('/reports/sales?from=2027-01-01&to=2027-01-02').expect(401);
    });

    it('answers 400 for a missing, malformed, reversed or too long range', async () => {
      for (const query of ['from=2027-01-01', 'to=2027-01-01', 'from=2027-02-30&to=2027-03-01', 'from=2027-01-01T00:00:00Z&to=2027-01-02', 'from=2027-01-02&to=2027-01-01', 'from=2026-01-01&to=2027-01-02']) {
        const res = await get(`/reports/sales?${query}`, undefined, admin);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
      await get('/reports/sales?from=2026-01-01&to=2027-01-01', undefined, admin).expect(200);
      await get('/reports/top-products?from=2027-01-01&to=2027-01-02&limit=0', undefined, admin).expect(400);
    });
  });

  it('serves commands and reads end to end: a checkout shows in the cart, the orders, the catalog and the report', async () => {
    const s = t.shop;
    const carol = t.token(`carol-${randomUUID()}`);
    const productId = await s.product({ priceCents: 700, stock: 10 });
    const cartId = await s.cart(carol);
    await s.add(carol, cartId, productId, 3);
    const checkout = await s.checkout(carol, cartId);
    expect(checkout.status).toBe(201);
    const { id: orderId, position } = checkout.body;

    const cart = await get(`/carts/${cartId}`, position, carol).expect(200);
    expect(cart.body).toMatchObject({ status: 'checked_out', totalCents: 2100, items: [{ productId, quantity: 3, unitPriceCents: 700 }] });
    const orders = await get('/orders', position, carol).expect(200);
    expect(orders.body.items).toHaveLength(1);
    expect(orders.body.items[0]).toMatchObject({ id: orderId, status: 'placed', totalCents: 2100, itemCount: 3 });
    expect((await get(`/products/${productId}`, position).expect(200)).body).toMatchObject({ stockOnHand: 10, stockAvailable: 7 });
    const today = new Date().toISOString().slice(0, 10);
    const report = await get(`/reports/sales?from=${today}&to=${today}`, position, admin).expect(200);
    expect(report.body.totals.revenueCents).toBeGreaterThanOrEqual(2100);
  });

  it('keeps every read model equal to a fresh rebuild from the log, and serves the same after a rebuild', async () => {
    const runner = t.app.get(ProjectionRunner);
    for (const name of ['catalog', 'carts', 'order-summary', 'sales-report']) {
      expect(await runner.verify(name), name).toEqual([]);
    }
    const report = '/reports/top-products?from=2027-01-01&to=2027-01-31';
    const before = (await get(report, undefined, admin).expect(200)).body;
    const orders = (await get('/orders?limit=100', undefined, admin).expect(200)).body;
    await runner.rebuild('sales-report');
    await runner.rebuild('order-summary');
    expect((await get(report, undefined, admin).expect(200)).body).toEqual(before);
    expect((await get('/orders?limit=100', undefined, admin).expect(200)).body).toEqual(orders);
  });

  it('documents the query routes in the OpenAPI document', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    for (const path of ['/products', '/products/{id}', '/carts/{id}', '/orders', '/reports/sales', '/reports/top-products']) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
    expect(doc.paths['/orders'].get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'customerId', 'from', 'limit', 'status', 'to']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ProductDto', 'ProductPageDto', 'CartDto', 'OrderPageDto', 'SalesReportDto', 'TopProductDto']));
  });
});
