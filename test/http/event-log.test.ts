import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('admin event log over HTTP', () => {
  const t = useTestApp();
  const s = t.shop;

  it('pages through the whole log in order, filtered by type or stream', async () => {
    const { orderId, productId } = await s.order(t.token('alice'));
    const all: { position: string; type: string; streamId: string }[] = [];
    let after = '0';
    for (;;) {
      const res = await t.http().get('/admin/events').query({ after, limit: 3 }).set('Authorization', s.admin).expect(200);
      if (res.body.events.length === 0) {
        expect(res.body.nextAfter).toBe(after);
        break;
      }
      all.push(...res.body.events);
      after = res.body.nextAfter;
    }
    expect(all.map((e) => e.type)).toEqual(['ProductCreated', 'CartCreated', 'CartItemAdded', 'CartCheckedOut', 'OrderPlaced', 'StockReserved']);
    const positions = all.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);

    const placed = await t.http().get('/admin/events').query({ type: 'OrderPlaced' }).set('Authorization', s.admin).expect(200);
    expect(placed.body.events.map((e: { streamId: string }) => e.streamId)).toEqual([orderId]);
    const product = await t.http().get('/admin/events').query({ streamId: productId }).set('Authorization', s.admin).expect(200);
    expect(product.body.events.map((e: { type: string }) => e.type)).toEqual(['ProductCreated', 'StockReserved']);
  });

  it('shows one stream, 404 for an unknown one', async () => {
    const { orderId } = await s.order(t.token('alice'));
    const res = await t.http().get(`/admin/streams/${orderId}`).set('Authorization', s.admin).expect(200);
    expect(res.body.map((e: { type: string }) => e.type)).toEqual(['OrderPlaced']);
    await t.http().get('/admin/streams/00000000-0000-4000-8000-000000000000').set('Authorization', s.admin).expect(404);
  });

  it('is for admins only and validates its query', async () => {
    await t.http().get('/admin/events').set('Authorization', t.token('alice')).expect(403);
    await t.http().get('/admin/events').query({ limit: 1001 }).set('Authorization', s.admin).expect(400);
    await t.http().get('/admin/events').query({ after: '-1' }).set('Authorization', s.admin).expect(400);
    await t.http().get('/admin/events').query({ streamId: 'x' }).set('Authorization', s.admin).expect(400);
  });
});
