import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('shipping methods and tax rates over HTTP', () => {
  const t = useTestApp();
  const admin = t.token('admin-1', ['admin']);
  const alice = t.token('alice');

  const createMethod = (body: object) => t.http().post('/shipping-methods').set('Authorization', admin).send(body);
  const methods = async (position: string, query = '') =>
    (await t.http().get(`/shipping-methods${query}`).set('X-Min-Position', position).expect(200)).body as Array<Record<string, unknown>>;

  it('creates, changes and lists methods; a country sees only the active methods serving it', async () => {
    const std = await createMethod({ code: 'STD', name: 'Standard', priceCents: 499, freeOverCents: 5000, countries: ['gb', 'FR', 'GB'] }).expect(201);
    const exp = await createMethod({ code: 'EXP', name: 'Express', priceCents: 1299, countries: ['GB'] }).expect(201);
    expect(exp.body.version).toBe(std.body.version + 1);
    let listed = await methods(exp.body.position);
    expect(listed).toEqual([
      { id: exp.body.id, code: 'EXP', name: 'Express', priceCents: 1299, freeOverCents: null, countries: ['GB'], active: true },
      { id: std.body.id, code: 'STD', name: 'Standard', priceCents: 499, freeOverCents: 5000, countries: ['GB', 'FR'], active: true },
    ]);

    await t.http().patch(`/shipping-methods/${std.body.id}`).set('Authorization', admin).send({ freeOverCents: null, priceCents: 599 }).expect(200);
    const off = await t.http().patch(`/shipping-methods/${exp.body.id}`).set('Authorization', admin).send({ active: false }).expect(200);
    listed = await methods(off.body.position);
    expect(listed.find((m) => m.code === 'STD')).toMatchObject({ priceCents: 599, freeOverCents: null });
    expect((await methods(off.body.position, '?country=gb')).map((m) => m.code)).toEqual(['STD']);
    expect(await methods(off.body.position, '?country=US')).toEqual([]);
  });

  it('answers 409 CODE_TAKEN for a code in use, also when two creates race', async () => {
    await createMethod({ code: 'DUP', name: 'One', priceCents: 0, countries: ['DE'] }).expect(201);
    expect((await createMethod({ code: 'DUP', name: 'Two', priceCents: 0, countries: ['DE'] }).expect(409)).body.code).toBe('CODE_TAKEN');
    const racing = await Promise.all([1, 2, 3].map((i) => createMethod({ code: 'RACE', name: `R${i}`, priceCents: 0, countries: ['DE'] })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('refuses bad bodies with 400, customers with 403, an unknown method with 404', async () => {
    for (const body of [
      { code: 'lower', name: 'x', priceCents: 0, countries: ['GB'] },
      { code: 'X', name: 'x', priceCents: 1_000_001, countries: ['GB'] },
      { code: 'X', name: 'x', priceCents: 0, countries: [] },
      { code: 'X', name: 'x', priceCents: 0, countries: ['XX'] },
      { code: 'X', name: 'x', priceCents: 0, freeOverCents: 0, countries: ['GB'] },
      { code: 'X', name: 'x', priceCents: 0, freeOverCents: null, countries: ['GB'] },
      { code: 'X', name: 'x', priceCents: 0, countries: ['GB'], active: true },
    ]) {
      const res = await createMethod(body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
    }
    const { body } = await createMethod({ code: 'BAD', name: 'x', priceCents: 0, countries: ['GB'] }).expect(201);
    await t.http().patch(`/shipping-methods/${body.id}`).set('Authorization', admin).send({ name: null }).expect(400);
    await t.http().patch(`/shipping-methods/${body.id}`).set('Authorization', admin).send({ priceCents: -1 }).expect(400);
    await t.http().patch('/shipping-methods/00000000-0000-4000-8000-000000000000').set('Authorization', admin).send({ name: 'y' }).expect(404);
    await t.http().post('/shipping-methods').set('Authorization', alice).send({ code: 'C', name: 'x', priceCents: 0, countries: ['GB'] }).expect(403);
    await t.http().put('/tax-rates/GB').set('Authorization', alice).send({ rateBasisPoints: 1 }).expect(403);
  });

  it('sets and lists tax rates per country', async () => {
    await t.http().put('/tax-rates/gb').set('Authorization', admin).send({ rateBasisPoints: 2000 }).expect(200);
    const last = await t.http().put('/tax-rates/DE').set('Authorization', admin).send({ rateBasisPoints: 0 }).expect(200);
    const rates = await t.http().get('/tax-rates').set('X-Min-Position', last.body.position).expect(200);
    expect(rates.body).toEqual([
      { country: 'DE', rateBasisPoints: 0 },
      { country: 'GB', rateBasisPoints: 2000 },
    ]);
    for (const [country, body] of [
      ['GB', { rateBasisPoints: 10001 }],
      ['GB', { rateBasisPoints: 1.5 }],
      ['GB', {}],
      ['XX', { rateBasisPoints: 1 }],
      ['GBR', { rateBasisPoints: 1 }],
    ] as const) {
      const res = await t.http().put(`/tax-rates/${country}`).set('Authorization', admin).send(body);
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
