import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { address } from '../support/shop.js';

describe('checkout and order commands over HTTP', () => {
  const t = useTestApp({ STORE_CURRENCY: 'EUR' });
  const s = t.shop;
  const alice = t.token('alice');
  const bob = t.token('bob');

  describe('checkout', () => {
    it('places the order at current prices, reserves stock and closes the cart in one append', async () => {
      const p1 = await s.product({ priceCents: 250, stock: 10 });
      const p2 = await s.product({ priceCents: 1000, stock: 10 });
      const cart = await s.cart(alice);
      await s.add(alice, cart, p1, 2);
      await s.add(alice, cart, p2, 1);
      await t.http().patch(`/products/${p1}`).set('Authorization', s.admin).send({ priceCents: 300 }).expect(200);

      const res = await s.checkout(alice, cart);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), cartId: cart, version: 1, position: expect.any(String) });
      const [placed] = await s.stream(res.body.id);
      expect(placed).toMatchObject({
        type: 'OrderPlaced',
        data: {
          orderId: res.body.id,
          cartId: cart,
          customerId: 'alice',
          totalCents: 1600,
          currency: 'EUR',
          shippingAddress: address,
          lines: [
            { productId: p1, quantity: 2, unitPriceCents: 300 },
            { productId: p2, quantity: 1, unitPriceCents: 1000 },
          ],
        },
      });
      expect((await s.stream(cart)).at(-1)).toMatchObject({ type: 'CartCheckedOut', data: { orderId: res.body.id } });
      expect((await s.stream(p1)).at(-1)).toMatchObject({ type: 'StockReserved', data: { orderId: res.body.id, quantity: 2 } });
      // One transaction: every event of the checkout carries the same transaction id.
      const txids = new Set([(await s.stream(cart)).at(-1)!, placed, (await s.stream(p1)).at(-1)!, (await s.stream(p2)).at(-1)!].map((e) => e.transactionId));
      expect(txids.size).toBe(1);
    });

    it('answers 409 CART_EMPTY and CART_CHECKED_OUT', async () => {
      const cart = await s.cart(alice);
      expect((await s.checkout(alice, cart)).body.code).toBe('CART_EMPTY');
      await s.add(alice, cart, await s.product(), 1);
      expect((await s.checkout(alice, cart)).status).toBe(201);
      const again = await s.checkout(alice, cart);
      expect([again.status, again.body.code]).toEqual([409, 'CART_CHECKED_OUT']);
      const add = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId: await s.product(), quantity: 1 });
      expect([add.status, add.body.code]).toEqual([409, 'CART_CHECKED_OUT']);
    });

    it('answers 409 INSUFFICIENT_STOCK naming the products, and writes nothing anywhere', async () => {
      const plenty = await s.product({ stock: 10 });
      const scarce = await s.product({ stock: 1 });
      const cart = await s.cart(alice);
      await s.add(alice, cart, plenty, 2);
      await s.add(alice, cart, scarce, 3);
      const before = { cart: (await s.stream(cart)).length, plenty: (await s.stream(plenty)).length, scarce: (await s.stream(scarce)).length };
      const res = await s.checkout(alice, cart);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ productId: scarce, requested: 3, available: 1 }] });
      expect({ cart: (await s.stream(cart)).length, plenty: (await s.stream(plenty)).length, scarce: (await s.stream(scarce)).length }).toEqual(before);
    });

    it('validates the shipping address', async () => {
      const cart = await s.cart(alice);
      await s.add(alice, cart, await s.product(), 1);
      for (const shippingAddress of [undefined, { ...address, country: 'XX' }, { ...address, city: '' }, { ...address, extra: 1 }]) {
        const res = await t.http().post(`/carts/${cart}/checkout`).set('Authorization', alice).send({ shippingAddress });
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      }
    });

    it('sells the last 10 units to exactly 10 of 30 racing buyers', async () => {
      const productId = await s.product({ stock: 10 });
      const buyers = Array.from({ length: 30 }, (_, i) => t.token(`buyer-${i}`));
      const carts = await Promise.all(buyers.map((b) => s.cart(b)));
      await Promise.all(buyers.map((b, i) => s.add(b, carts[i], productId, 1)));
      const results = await Promise.all(buyers.map((b, i) => s.checkout(b, carts[i])));
      const placed = results.filter((r) => r.status === 201);
      expect(placed.length).toBe(10);
      expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.code === 'INSUFFICIENT_STOCK')).toBe(true);
      const reserved = (await s.stream(productId)).filter((e) => e.type === 'StockReserved');
      expect(reserved.length).toBe(10);
    });
  });

  describe('orders', () => {
    it('goes placed -> paid -> shipped -> delivered, with stock taken off on shipping', async () => {
      const { orderId, productId } = await s.order(alice, { priceCents: 700, quantity: 2 });
      const pay = await t.http().post(`/orders/${orderId}/pay`).set('Authorization', alice).send({ amountCents: 1400, paymentReference: 'pay-1' }).expect(200);
      expect(pay.body).toEqual({ id: orderId, version: 2, position: expect.any(String) });
      await t.http().post(`/orders/${orderId}/ship`).set('Authorization', s.admin).send({ carrier: 'DHL', trackingNumber: 'T1' }).expect(200);
      const delivered = await t.http().post(`/orders/${orderId}/deliver`).set('Authorization', s.admin).send({}).expect(200);
      expect(await s.types(orderId)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderShipped', 'OrderDelivered']);
      expect((await s.stream(productId)).at(-1)).toMatchObject({ type: 'StockShipped', data: { orderId, quantity: 2 } });
      const order = await t.http().get(`/orders/${orderId}`).set('Authorization', alice).set('X-Min-Position', delivered.body.position).expect(200);
      expect(order.body).toMatchObject({ id: orderId, status: 'delivered', paymentReference: 'pay-1', carrier: 'DHL', trackingNumber: 'T1', totalCents: 1400, version: 4 });
    });

    it('answers each rule with its 409 code', async () => {
      const { orderId } = await s.order(alice, { priceCents: 500, quantity: 1 });
      const post = (path: string, token: string, body: object) => t.http().post(`/orders/${orderId}/${path}`).set('Authorization', token).send(body);
      expect((await post('pay', alice, { amountCents: 499, paymentReference: 'x' })).body.code).toBe('PAYMENT_AMOUNT_MISMATCH');
      expect((await post('ship', s.admin, { carrier: 'c', trackingNumber: 't' })).body.code).toBe('ORDER_NOT_SHIPPABLE');
      expect((await post('deliver', s.admin, {})).body.code).toBe('ORDER_NOT_DELIVERABLE');
      await post('pay', alice, { amountCents: 500, paymentReference: 'x' }).expect(200);
      expect((await post('pay', alice, { amountCents: 500, paymentReference: 'x' })).body.code).toBe('ORDER_NOT_PAYABLE');
      await post('ship', s.admin, { carrier: 'c', trackingNumber: 't' }).expect(200);
      const cancel = await post('cancel', alice, { reason: 'changed my mind' });
      expect([cancel.status, cancel.body.code]).toEqual([409, 'ORDER_NOT_CANCELLABLE']);
    });

    it('cancels an order and releases its reservation in the same append', async () => {
      const { orderId, productId } = await s.order(alice, { quantity: 3 });
      await t.http().post(`/orders/${orderId}/cancel`).set('Authorization', alice).send({ reason: 'too slow' }).expect(200);
      const released = (await s.stream(productId)).at(-1)!;
      const cancelled = (await s.stream(orderId)).at(-1)!;
      expect(released).toMatchObject({ type: 'StockReleased', data: { orderId, quantity: 3 } });
      expect(cancelled).toMatchObject({ type: 'OrderCancelled', data: { reason: 'too slow' } });
      expect(released.transactionId).toBe(cancelled.transactionId);
      // The released units can be sold again: 100 in stock, all available.
      const cart = await s.cart(bob);
      await s.add(bob, cart, productId, 100);
      expect((await s.checkout(bob, cart)).status).toBe(201);
    });

    it('lets an admin cancel, keeps shipping and delivery for admins, and hides orders from other customers', async () => {
      const { orderId } = await s.order(alice);
      await t.http().post(`/orders/${orderId}/ship`).set('Authorization', alice).send({ carrier: 'c', trackingNumber: 't' }).expect(403);
      await t.http().post(`/orders/${orderId}/pay`).set('Authorization', bob).send({ amountCents: 2000, paymentReference: 'x' }).expect(404);
      await t.http().post(`/orders/${orderId}/cancel`).set('Authorization', bob).send({ reason: 'x' }).expect(404);
      await t.http().get(`/orders/${orderId}`).set('Authorization', bob).expect(404);
      await t.http().get(`/orders/${orderId}/events`).set('Authorization', bob).expect(404);
      expect(await s.types(orderId)).toEqual(['OrderPlaced']);
      await t.http().post(`/orders/${orderId}/cancel`).set('Authorization', s.admin).send({ reason: 'fraud' }).expect(200);
    });

    it('shows the whole history with metadata, and the state as of a version or a time', async () => {
      const { orderId } = await s.order(alice, { priceCents: 100, quantity: 1 });
      await t.http().post(`/orders/${orderId}/pay`).set('Authorization', alice).set('X-Request-Id', 'pay-req').send({ amountCents: 100, paymentReference: 'p' }).expect(200);
      const history = await t.http().get(`/orders/${orderId}/events`).set('Authorization', alice).expect(200);
      expect(history.body.map((e: { type: string }) => e.type)).toEqual(['OrderPlaced', 'OrderPaid']);
      expect(history.body[1]).toEqual({
        position: expect.any(String),
        eventId: expect.any(String),
        streamId: orderId,
        streamType: 'order',
        version: 2,
        type: 'OrderPaid',
        schemaVersion: 1,
        occurredAt: expect.any(String),
        data: expect.objectContaining({ amountCents: 100, paymentReference: 'p' }),
        metadata: expect.objectContaining({ correlationId: 'pay-req', actor: 'alice' }),
      });

      const v1 = await t.http().get(`/orders/${orderId}?version=1`).set('Authorization', alice).expect(200);
      expect(v1.body).toMatchObject({ status: 'placed', version: 1 });
      expect(v1.body.paidAt).toBeUndefined();
      const asOf = await t.http().get(`/orders/${orderId}`).query({ asOf: history.body[0].occurredAt }).set('Authorization', alice).expect(200);
      expect(asOf.body.status).toBe('placed');
      await t.http().get(`/orders/${orderId}`).query({ asOf: '2000-01-01T00:00:00Z' }).set('Authorization', alice).expect(404);
      await t.http().get(`/orders/${orderId}`).query({ asOf: 'yesterday' }).set('Authorization', alice).expect(400);
      const admin = await t.http().get(`/orders/${orderId}/events`).set('Authorization', s.admin).expect(200);
      expect(admin.body.length).toBe(2);
    });
  });
});
