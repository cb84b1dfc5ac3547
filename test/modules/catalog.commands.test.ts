import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('catalog commands over HTTP', () => {
  const t = useTestApp();
  const s = t.shop;

  it('creates a product and answers the command result', async () => {
    const res = await t.http().post('/products').set('Authorization', s.admin).send({ sku: 'MUG-1', name: 'Mug', description: 'Red', priceCents: 1299, stock: 5 }).expect(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), version: 1, position: expect.stringMatching(/^\d+$/) });
    const [created] = await s.stream(res.body.id);
    expect(created).toMatchObject({
      type: 'ProductCreated',
      streamType: 'product',
      data: { productId: res.body.id, sku: 'MUG-1', name: 'Mug', description: 'Red', priceCents: 1299, stock: 5 },
      metadata: { actor: 'admin-1', correlationId: expect.any(String), causationId: expect.any(String) },
    });
    expect(created.position).toBe(res.body.position);
  });

  it('uses X-Request-Id as the correlation id', async () => {
    const res = await t.http().post('/products').set('Authorization', s.admin).set('X-Request-Id', 'req-abc').send({ sku: 'CORR-1', name: 'x', priceCents: 1, stock: 1 }).expect(201);
    expect((await s.stream(res.body.id))[0].metadata.correlationId).toBe('req-abc');
  });

  it('answers 409 SKU_TAKEN for a taken SKU, case-insensitively', async () => {
    await s.product({ sku: 'DUP-1' });
    const res = await t.http().post('/products').set('Authorization', s.admin).send({ sku: 'dup-1', name: 'x', priceCents: 1, stock: 1 }).expect(409);
    expect(res.body).toEqual({ statusCode: 409, code: 'SKU_TAKEN', message: expect.any(String) });
  });

  it('lets exactly one of many racing creates of one SKU win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http().post('/products').set('Authorization', s.admin).send({ sku: 'RACE-1', name: 'x', priceCents: 1, stock: 1 })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'SKU_TAKEN')).toBe(true);
  });

  it.each([
    [{ sku: 'bad sku!', name: 'x', priceCents: 1, stock: 1 }],
    [{ sku: 'A'.repeat(65), name: 'x', priceCents: 1, stock: 1 }],
    [{ sku: 'OK-1', name: '', priceCents: 1, stock: 1 }],
    [{ sku: 'OK-1', name: 'x', priceCents: -1, stock: 1 }],
    [{ sku: 'OK-1', name: 'x', priceCents: 100_000_001, stock: 1 }],
    [{ sku: 'OK-1', name: 'x', priceCents: 1.5, stock: 1 }],
    [{ sku: 'OK-1', name: 'x', priceCents: 1, stock: 1_000_001 }],
    [{ sku: 'OK-1', name: 'x', priceCents: 1, stock: 1, currency: 'EUR' }],
    [{ sku: 'OK-1', name: 'x', priceCents: '1', stock: 1 }],
  ])('answers 400 VALIDATION_FAILED for %j and writes nothing', async (body) => {
    const res = await t.http().post('/products').set('Authorization', s.admin).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('updates name, description and price', async () => {
    const id = await s.product();
    const res = await t.http().patch(`/products/${id}`).set('Authorization', s.admin).send({ name: 'New', priceCents: 500 }).expect(200);
    expect(res.body).toMatchObject({ id, version: 2 });
    expect((await s.stream(id))[1]).toMatchObject({ type: 'ProductUpdated', data: { productId: id, name: 'New', priceCents: 500 } });
  });

  it('answers 404 for an unknown product, also for a malformed id', async () => {
    await t.http().patch('/products/00000000-0000-4000-8000-000000000000').set('Authorization', s.admin).send({ name: 'x' }).expect(404);
    const res = await t.http().patch('/products/not-a-uuid').set('Authorization', s.admin).send({ name: 'x' }).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    await t.http().post('/products/00000000-0000-4000-8000-000000000000/stock').set('Authorization', s.admin).send({ delta: 1 }).expect(404);
  });

  it('adjusts stock, refusing to go below zero or below what open orders reserve', async () => {
    const id = await s.product({ stock: 10 });
    await t.http().post(`/products/${id}/stock`).set('Authorization', s.admin).send({ delta: 5 }).expect(200);
    const below = await t.http().post(`/products/${id}/stock`).set('Authorization', s.admin).send({ delta: -16 }).expect(409);
    expect(below.body.code).toBe('INSUFFICIENT_STOCK');

    const alice = t.token('alice');
    const cart = await s.cart(alice);
    await s.add(alice, cart, id, 12);
    expect((await s.checkout(alice, cart)).status).toBe(201);
    // 15 on hand, 12 reserved: removing 4 would leave 11 < 12.
    const reserved = await t.http().post(`/products/${id}/stock`).set('Authorization', s.admin).send({ delta: -4 }).expect(409);
    expect(reserved.body.code).toBe('INSUFFICIENT_STOCK');
    await t.http().post(`/products/${id}/stock`).set('Authorization', s.admin).send({ delta: -3 }).expect(200);
    await t.http().post(`/products/${id}/stock`).set('Authorization', s.admin).send({ delta: 0 }).expect(400);
  });

  it('keeps catalog commands for admins', async () => {
    const id = await s.product();
    await t.http().patch(`/products/${id}`).set('Authorization', t.token('alice')).send({ name: 'x' }).expect(403);
    await t.http().post(`/products/${id}/stock`).set('Authorization', t.token('alice')).send({ delta: 1 }).expect(403);
  });
});
