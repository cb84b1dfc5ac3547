import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { useTestApp } from '../support/app.js';
import { address } from '../support/shop.js';

/** Checkout with shipping, tax and a discount code, over HTTP; the code's limits under concurrency. */
describe('checkout with shipping, tax and discount codes', () => {
  const t = useTestApp();
  const s = t.shop;
  const admin = s.admin;
  const alice = t.token('alice');
  const bob = t.token('bob');

  const createCode = async (body: object): Promise<string> => (await t.http().post('/discount-codes').set('Authorization', admin).send(body).expect(201)).body.id;
  const applyCode = (customer: string, cartId: string, code: string) => t.http().put(`/carts/${cartId}/discount`).set('Authorization', customer).send({ code });
  const checkout = (customer: string, cartId: string, body: object = {}) =>
    t.http().post(`/carts/${cartId}/checkout`).set('Authorization', customer).send({ shippingAddress: address, ...body });

  it('prices the order by the formulas, records what it was priced with, and charges exactly that', async () => {
    // GB (the test address) is served by one method and taxed at 20%.
    const method = await t.http().post('/shipping-methods').set('Authorization', admin).send({ code: 'GB-STD', name: 'Standard', priceCents: 499, freeOverCents: 100_000, countries: ['GB'] }).expect(201);
    await t.http().put('/tax-rates/GB').set('Authorization', admin).send({ rateBasisPoints: 2000 }).expect(200);
    await createCode({ code: 'TENOFF', kind: 'percent', value: 10 });
    const product = await s.product({ priceCents: 1005 });
    const cartId = await s.cartWith(alice, [{ productId: product, quantity: 3 }]);

    await applyCode(alice, cartId, 'tenoff').expect(200);
    const missing = await checkout(alice, cartId);
    expect([missing.status, missing.body.code, missing.body.details]).toEqual([400, 'VALIDATION_FAILED', [{ field: 'shippingMethodId', message: expect.any(String) }]]);
    const placed = await checkout(alice, cartId, { shippingMethodId: method.body.id }).expect(201);

    // 3015 - round(301.5) = 2713; + 499 = 3212; tax round(642.4) = 642; total 3854.
    const [event] = await s.stream(placed.body.id);
    expect(event.data).toMatchObject({
      subtotalCents: 3015,
      discountCents: 302,
      discountCode: { code: 'TENOFF' },
      shippingMethod: { id: method.body.id, code: 'GB-STD', name: 'Standard' },
      shippingCents: 499,
      taxRateBasisPoints: 2000,
      taxCents: 642,
      totalCents: 3854,
    });
    const pricing = {
      totalCents: 3854,
      subtotalCents: 3015,
      discountCents: 302,
      discountCode: 'TENOFF',
      shippingCents: 499,
      shippingMethod: { id: method.body.id, code: 'GB-STD', name: 'Standard' },
      taxCents: 642,
      taxRateBasisPoints: 2000,
    };
    const shown = async () => {
      const order = await t.http().get(`/orders/${placed.body.id}`).set('Authorization', alice).set('X-Min-Position', placed.body.position).expect(200);
      const asPlaced = await t.http().get(`/orders/${placed.body.id}?version=1`).set('Authorization', alice).expect(200);
      const list = await t.http().get('/orders').set('Authorization', alice).set('X-Min-Position', placed.body.position).expect(200);
      // The only order of the file so far: its day's figures are its own.
      const day = (event.data as { placedAt: string }).placedAt.slice(0, 10);
      const report = await t.http().get(`/reports/sales?from=${day}&to=${day}`).set('Authorization', admin).set('X-Min-Position', placed.body.position).expect(200);
      return { order: order.body, asPlaced: asPlaced.body, listed: list.body.items.find((o: { id: string }) => o.id === placed.body.id), report: report.body.totals };
    };
    const cart = await t.http().get(`/carts/${cartId}`).set('Authorization', alice).set('X-Min-Position', placed.body.position).expect(200);
    expect(cart.body).toMatchObject({ status: 'checked_out', subtotalCents: 3015, discount: { code: 'TENOFF', amountCents: 302 }, totalCents: 2713 });
    const before = await shown();
    expect(before.order).toMatchObject(pricing);
    expect(before.asPlaced).toMatchObject(pricing);
    expect(before.listed.totalCents).toBe(3854);
    // Revenue is merchandise after the discount; shipping and tax are their own columns.
    expect(before.report).toEqual({ orders: 1, itemsSold: 3, revenueCents: 2713, discountCents: 302, shippingCents: 499, taxCents: 642 });
    // A rebuild of every read model from the log answers the same.
    const runner = t.app.get(ProjectionRunner);
    for (const name of ['order-summary', 'sales-report', 'discounts', 'shipping', 'tax-rates', 'cart-discounts']) {
      expect(await runner.verify(name), name).toEqual([]);
      await runner.rebuild(name);
    }
    expect(await shown()).toEqual(before);

    const wrong = await t.http().post(`/orders/${placed.body.id}/pay`).set('Authorization', alice).send({ amountCents: 3015, paymentReference: 'p' }).expect(409);
    expect(wrong.body.code).toBe('PAYMENT_AMOUNT_MISMATCH');
    await t.http().post(`/orders/${placed.body.id}/pay`).set('Authorization', alice).send({ amountCents: 3854, paymentReference: 'p' }).expect(200);

    // Later changes to the method and the rate leave the placed order alone.
    await t.http().patch(`/shipping-methods/${method.body.id}`).set('Authorization', admin).send({ priceCents: 999 }).expect(200);
    await t.http().put('/tax-rates/GB').set('Authorization', admin).send({ rateBasisPoints: 0 }).expect(200);
    expect((await s.stream(placed.body.id))[0].data).toEqual(event.data);
    // Leave GB without a method for the other tests.
    await t.http().patch(`/shipping-methods/${method.body.id}`).set('Authorization', admin).send({ active: false }).expect(200);
  });

  it('refuses a method that does not serve the country (409), and a bad method id (400), writing nothing', async () => {
    const fr = await t.http().post('/shipping-methods').set('Authorization', admin).send({ code: 'FR-ONLY', name: 'France', priceCents: 100, countries: ['FR'] }).expect(201);
    const cartId = await s.cartWith(alice, [{ productId: await s.product(), quantity: 1 }]);
    const refused = await checkout(alice, cartId, { shippingMethodId: fr.body.id }).expect(409);
    expect([refused.body.code, refused.body.details]).toEqual(['SHIPPING_METHOD_NOT_AVAILABLE', [{ shippingMethodId: fr.body.id, country: 'GB' }]]);
    await checkout(alice, cartId, { shippingMethodId: 'nope' }).expect(400);
    expect(await s.types(cartId)).toEqual(['CartCreated', 'CartItemAdded']);
  });

  it('puts a code on a cart only when it applies, says why not, and takes it off', async () => {
    await createCode({ code: 'BIG-ONLY', kind: 'fixed', value: 500, minSubtotalCents: 5000 });
    await createCode({ code: 'LATER', kind: 'fixed', value: 500, startsAt: '2099-01-01T00:00:00Z' });
    await createCode({ code: 'OVER', kind: 'fixed', value: 500, endsAt: '2020-01-01T00:00:00Z' });
    const offId = await createCode({ code: 'OFF', kind: 'fixed', value: 500 });
    await t.http().post(`/discount-codes/${offId}/deactivate`).set('Authorization', admin).send({}).expect(200);
    const cartId = await s.cartWith(alice, [{ productId: await s.product({ priceCents: 1000 }), quantity: 1 }]);

    for (const [code, reason] of [['big-only', 'below_minimum'], ['LATER', 'not_started'], ['over', 'ended'], ['off', 'inactive']]) {
      const res = await applyCode(alice, cartId, code).expect(409);
      expect([res.body.code, res.body.details[0].reason]).toEqual(['DISCOUNT_NOT_APPLICABLE', reason]);
    }
    expect((await applyCode(alice, cartId, 'NO-SUCH-CODE').expect(404)).body.code).toBe('NOT_FOUND');
    await applyCode(alice, cartId, 'bad code!').expect(400);
    await applyCode(bob, cartId, 'over').expect(404);

    await s.add(alice, cartId, (await s.product({ priceCents: 4000 })), 1);
    const applied = await applyCode(alice, cartId, 'Big-Only').expect(200);
    const cart = await t.http().get(`/carts/${cartId}`).set('Authorization', alice).set('X-Min-Position', applied.body.position).expect(200);
    expect(cart.body).toMatchObject({ subtotalCents: 5000, discount: { code: 'BIG-ONLY', amountCents: 500 }, totalCents: 4500 });
    const removed = await t.http().delete(`/carts/${cartId}/discount`).set('Authorization', alice).expect(200);
    await t.http().delete(`/carts/${cartId}/discount`).set('Authorization', alice).expect(200);
    const bare = await t.http().get(`/carts/${cartId}`).set('Authorization', alice).set('X-Min-Position', removed.body.position).expect(200);
    expect(bare.body).toMatchObject({ subtotalCents: 5000, discount: null, totalCents: 5000 });
    expect((await s.types(cartId)).slice(-2)).toEqual(['CartDiscountApplied', 'CartDiscountRemoved']);
  });

  it('refuses at checkout a code that stopped applying, writing nothing; cancelling gives the redemption back', async () => {
    const codeId = await createCode({ code: 'ONCE', kind: 'fixed', value: 100, maxPerCustomer: 1 });
    const product = await s.product({ priceCents: 1000 });
    const [first, second] = [await s.cartWith(alice, [{ productId: product, quantity: 1 }]), await s.cartWith(alice, [{ productId: product, quantity: 1 }])];
    await applyCode(alice, first, 'once').expect(200);
    await applyCode(alice, second, 'once').expect(200);
    const placed = await checkout(alice, first).expect(201);
    const refused = await checkout(alice, second).expect(409);
    expect([refused.body.code, refused.body.details]).toEqual(['DISCOUNT_NOT_APPLICABLE', [{ code: 'ONCE', reason: 'already_used' }]]);
    expect(await s.types(second)).toEqual(['CartCreated', 'CartItemAdded', 'CartDiscountApplied']);

    const cancelled = await s.cancel(alice, placed.body.id);
    const listed = await t.http().get('/discount-codes').set('Authorization', admin).set('X-Min-Position', cancelled.body.position).expect(200);
    expect(listed.body.items.find((c: { id: string }) => c.id === codeId).redemptions).toBe(0);
    await checkout(alice, second).expect(201);
  });

  // Each cart holds its own product: a shared product stream would serialise the checkouts by itself
  // and hide whether the code's own guard holds.
  describe('limits under concurrency', () => {
    const ROUNDS = 3;

    it.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('maxRedemptions 10, 30 customers at once: exactly 10 orders (round %i)', async (round) => {
      const code = `TEN-${round}`;
      const codeId = await createCode({ code, kind: 'fixed', value: 100, maxRedemptions: 10 });
      const customers = Array.from({ length: 30 }, (_, i) => t.token(`racer-${round}-${i}`));
      const products = await Promise.all(customers.map(() => s.product({ priceCents: 1000 })));
      const carts = await Promise.all(customers.map((c, i) => s.cartWith(c, [{ productId: products[i], quantity: 1 }])));
      await Promise.all(customers.map((c, i) => applyCode(c, carts[i], code).expect(200)));

      const answers = await Promise.all(customers.map((c, i) => checkout(c, carts[i])));
      const placed = answers.filter((a) => a.status === 201);
      expect(placed).toHaveLength(10);
      expect(answers.filter((a) => a.status === 409).map((a) => a.body.details?.[0]?.reason)).toEqual(Array(20).fill('exhausted'));
      // The log agrees: 10 redemptions on the code; a refused cart is still open and its stock untouched.
      expect((await s.types(codeId)).filter((type) => type === 'DiscountRedeemed')).toHaveLength(10);
      for (const [i, answer] of answers.entries()) {
        expect((await s.types(carts[i])).includes('CartCheckedOut')).toBe(answer.status === 201);
        expect((await s.types(products[i])).includes('StockReserved')).toBe(answer.status === 201);
      }
    });

    it.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('maxPerCustomer 1, one customer racing 10 carts: exactly 1 order (round %i)', async (round) => {
      const code = `MINE-${round}`;
      await createCode({ code, kind: 'percent', value: 5, maxPerCustomer: 1 });
      const customer = t.token(`solo-${round}`);
      const products = await Promise.all(Array.from({ length: 10 }, () => s.product({ priceCents: 1000 })));
      const carts = await Promise.all(products.map((productId) => s.cartWith(customer, [{ productId, quantity: 1 }])));
      await Promise.all(carts.map((cartId) => applyCode(customer, cartId, code).expect(200)));

      const answers = await Promise.all(carts.map((cartId) => checkout(customer, cartId)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409).map((a) => a.body.details?.[0]?.reason)).toEqual(Array(9).fill('already_used'));
      const reserved = await Promise.all(products.map(async (productId) => (await s.types(productId)).includes('StockReserved')));
      expect(reserved.filter(Boolean)).toHaveLength(1);
    });
  });
});
