import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('discount codes over HTTP (admin)', () => {
  const t = useTestApp();
  const admin = t.token('admin-1', ['admin']);
  const alice = t.token('alice');
  const create = (body: object) => t.http().post('/discount-codes').set('Authorization', admin).send(body);

  it('creates codes, refuses a taken one in any case (also racing), deactivates, and lists them by code', async () => {
    const a = await create({ code: 'Spring10', kind: 'percent', value: 10, minSubtotalCents: 2000, startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z', maxRedemptions: 5 }).expect(201);
    expect((await create({ code: 'SPRING10', kind: 'fixed', value: 100 }).expect(409)).body.code).toBe('CODE_TAKEN');
    const racing = await Promise.all([1, 2, 3].map(() => create({ code: 'race-1', kind: 'fixed', value: 100 })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const off = await t.http().post(`/discount-codes/${a.body.id}/deactivate`).set('Authorization', admin).send({}).expect(200);
    await t.http().post('/discount-codes/00000000-0000-4000-8000-000000000000/deactivate').set('Authorization', admin).send({}).expect(404);

    const first = await t.http().get('/discount-codes?limit=1').set('Authorization', admin).set('X-Min-Position', off.body.position).expect(200);
    expect(first.body.items).toEqual([
      { id: expect.any(String), code: 'race-1', kind: 'fixed', value: 100, minSubtotalCents: null, startsAt: null, endsAt: null, maxRedemptions: null, maxPerCustomer: 1, active: true, redemptions: 0 },
    ]);
    const second = await t.http().get(`/discount-codes?limit=1&cursor=${first.body.nextCursor}`).set('Authorization', admin).expect(200);
    expect(second.body).toEqual({
      items: [
        {
          id: a.body.id,
          code: 'Spring10',
          kind: 'percent',
          value: 10,
          minSubtotalCents: 2000,
          startsAt: '2026-03-01T00:00:00.000Z',
          endsAt: '2026-04-01T00:00:00.000Z',
          maxRedemptions: 5,
          maxPerCustomer: 1,
          active: false,
          redemptions: 0,
        },
      ],
      nextCursor: null,
    });
  });

  it('refuses bad bodies with 400 and customers with 403', async () => {
    for (const body of [
      { code: 'ab', kind: 'fixed', value: 1 },
      { code: 'has space', kind: 'fixed', value: 1 },
      { code: 'OK1', kind: 'percent', value: 101 },
      { code: 'OK1', kind: 'percent', value: 0 },
      { code: 'OK1', kind: 'fixed', value: 100_000_001 },
      { code: 'OK1', kind: 'other', value: 1 },
      { code: 'OK1', kind: 'fixed', value: 1, startsAt: '2026-04-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' },
      { code: 'OK1', kind: 'fixed', value: 1, startsAt: 'tomorrow' },
      { code: 'OK1', kind: 'fixed', value: 1, maxPerCustomer: 0 },
      { code: 'OK1', kind: 'fixed', value: 1, maxRedemptions: null },
      { code: 'OK1', kind: 'fixed', value: 1, redemptions: 3 },
    ]) {
      const res = await create(body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    await t.http().post('/discount-codes').set('Authorization', alice).send({ code: 'OK1', kind: 'fixed', value: 1 }).expect(403);
    await t.http().get('/discount-codes').set('Authorization', alice).expect(403);
  });
});
