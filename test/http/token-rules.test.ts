import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET, useTestApp } from '../support/app.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function bearer(payload: object, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `Bearer ${unsigned}.${createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

describe('token rules (shared/spec/api.md, Identity)', () => {
  const t = useTestApp();

  const createCart = (authorization: string) => t.http().post('/carts').set('Authorization', authorization).send({});

  it.each([
    ['a lifetime over JWT_MAX_TTL_SECONDS (exp - iat)', { iat: now(), exp: now() + DAY + 1 }],
    ['a lifetime over JWT_MAX_TTL_SECONDS (exp - now, without iat)', { exp: now() + DAY + 120 }],
    ['an iat more than 60 s in the future', { iat: now() + 120, exp: now() + 3600 }],
    ['a non-numeric iat', { iat: 'yesterday', exp: now() + 3600 }],
    ['an empty sub', { sub: '', exp: now() + 3600 }],
    ['a sub over 128 characters', { sub: 'x'.repeat(129), exp: now() + 3600 }],
    ['a sub holding NUL', { sub: 'ali\u0000ce', exp: now() + 3600 }],
    ['a sub holding an unpaired surrogate', { sub: 'ali\ud800ce', exp: now() + 3600 }],
  ])('answers 401 to a token with %s', async (_, claims) => {
    const res = await createCart(bearer({ sub: 'alice', roles: ['customer'], ...claims }));
    expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String) });
  });

  it('answers 401 to a token with a crit header', async () => {
    const res = await createCart(bearer({ sub: 'alice', roles: ['customer'], exp: now() + 3600 }, { alg: 'HS256', typ: 'JWT', crit: ['exp'] }));
    expect(res.status).toBe(401);
  });

  it('accepts a lifetime of exactly the maximum, a small clock skew and a 128-character sub', async () => {
    await createCart(bearer({ sub: 'alice', roles: ['customer'], iat: now(), exp: now() + DAY })).expect(201);
    await createCart(bearer({ sub: 'alice', roles: ['customer'], iat: now() + 30, exp: now() + 3600 })).expect(201);
    await createCart(bearer({ sub: 'é'.repeat(128), roles: ['customer'], exp: now() + 3600 })).expect(201);
  });

  it('answers 403 on every non-public route to a token with no known role', async () => {
    for (const roles of [[], ['superuser']]) {
      const token = t.token('mallory', roles);
      expect((await createCart(token)).body).toEqual({ statusCode: 403, code: 'FORBIDDEN', message: expect.any(String) });
      expect((await t.http().get('/orders').set('Authorization', token)).status).toBe(403);
      expect((await t.http().get('/carts/00000000-0000-4000-8000-000000000000').set('Authorization', token)).status).toBe(403);
      await t.http().get('/products').set('Authorization', token).expect(200);
    }
  });

  it('needs the customer role on customer routes: an admin-only token cannot own carts', async () => {
    const cartId = (await createCart(t.token('both', ['customer', 'admin'])).expect(201)).body.id;
    const admin = t.token('both', ['admin']);
    expect((await createCart(admin)).status).toBe(403);
    expect((await t.http().get(`/carts/${cartId}`).set('Authorization', admin)).status).toBe(403);
    await t.http().get('/orders').set('Authorization', admin).expect(200);
  });
});

describe('JWT_MAX_TTL_SECONDS', () => {
  const t = useTestApp({ JWT_MAX_TTL_SECONDS: '600' });

  it('caps the lifetime at the configured value', async () => {
    await t.http().post('/carts').set('Authorization', bearer({ sub: 'a', roles: ['customer'], iat: now(), exp: now() + 600 })).send({}).expect(201);
    const res = await t.http().post('/carts').set('Authorization', bearer({ sub: 'a', roles: ['customer'], iat: now(), exp: now() + 601 })).send({});
    expect(res.status).toBe(401);
  });
});
