import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('read-your-writes over HTTP', () => {
  const t = useTestApp();
  const s = t.shop;

  it('always shows a command its own write when the GET names the command position', async () => {
    const alice = t.token('alice');
    const productId = await s.product({ priceCents: 250 });
    const cart = await s.cart(alice);
    for (let quantity = 1; quantity <= 40; quantity++) {
      const command = await s.add(alice, cart, productId, 1);
      const read = await t.http().get(`/carts/${cart}`).set('Authorization', alice).set('X-Min-Position', command.body.position).expect(200);
      expect(read.body.version).toBe(command.body.version);
      expect(read.body.items).toEqual([expect.objectContaining({ productId, quantity, lineTotalCents: 250 * quantity })]);
      expect(read.headers['x-projection-position']).toMatch(/^\d+$/);
    }
    const { orderId } = await s.order(alice);
    const events = await t.http().get(`/orders/${orderId}/events`).set('Authorization', alice).expect(200);
    const list = await t.http().get('/orders').set('Authorization', alice).set('X-Min-Position', events.body[0].position).expect(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(orderId);
  });
});
