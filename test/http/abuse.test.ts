import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

const LIMIT = 4;
const rateHeaders = (res: { headers: Record<string, string> }) => ({
  limit: res.headers['ratelimit-limit'],
  remaining: res.headers['ratelimit-remaining'],
  reset: Number(res.headers['ratelimit-reset']),
});

describe('rate limits: one budget per caller', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });

  it('spends one budget across all routes, with RateLimit-* on every answer and Retry-After on 429', async () => {
    const alice = t.token('alice');
    const answers = [
      await t.http().post('/carts').set('Authorization', alice).send({}),
      await t.http().get('/orders').set('Authorization', alice),
      await t.http().get('/products').set('Authorization', alice),
      await t.http().get('/no-such-route').set('Authorization', alice),
    ];
    expect(answers.map((r) => r.status)).toEqual([201, 200, 200, 404]);
    expect(answers.map((r) => rateHeaders(r).remaining)).toEqual(['3', '2', '1', '0']);
    for (const r of answers) {
      expect(rateHeaders(r)).toMatchObject({ limit: String(LIMIT) });
      expect(rateHeaders(r).reset).toBeGreaterThanOrEqual(1);
      expect(rateHeaders(r).reset).toBeLessThanOrEqual(60);
    }
    const limited = await t.http().get('/orders/00000000-0000-4000-8000-000000000000').set('Authorization', alice);
    expect(limited.body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String) });
    expect(rateHeaders(limited)).toMatchObject({ limit: String(LIMIT), remaining: '0' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A new token for the same sub is the same caller; another sub has its own budget.
    expect((await t.http().get('/orders').set('Authorization', t.token('alice', ['customer', 'admin']))).status).toBe(429);
    expect((await t.http().get('/orders').set('Authorization', t.token('bob'))).status).toBe(200);
  });

  it('counts refused tokens and anonymous requests per client address, whatever X-Forwarded-For says', async () => {
    // This file's other test spent tokens' budgets only; the address budget is fresh here.
    const tries = [
      t.http().post('/carts').set('Authorization', 'Bearer not-a-jwt').send({}),
      t.http().post('/carts').set('Authorization', `${t.token('carol')}x`).send({}),
      t.http().get('/products').set('X-Forwarded-For', '203.0.113.1'),
      t.http().get('/products').set('X-Forwarded-For', '203.0.113.2'),
    ];
    const statuses = [];
    for (const send of tries) statuses.push((await send).status);
    expect(statuses).toEqual([401, 401, 200, 200]);
    const limited = await t
      .http()
      .get('/products')
      .set('X-Forwarded-For', '198.51.100.7')
      .set('X-Real-IP', '198.51.100.8')
      .set('Forwarded', 'for=198.51.100.9');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await t.http().post('/carts').set('Authorization', 'Bearer rotated-garbage').send({})).status).toBe(429);
    // A caller with a valid token is still served: its budget is its own.
    await t.http().post('/carts').set('Authorization', t.token('dave')).send({}).expect(201);
  });
});

describe.each([
  ['a hop count', '1'],
  ['an address list', '10.0.0.0/8, loopback'],
])('rate limits behind a proxy trusted by %s (TRUST_PROXY)', (_, trustProxy) => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: trustProxy });

  it('takes the client address the trusted proxy reports, so rotating the leftmost entry gains nothing', async () => {
    const via = (xff: string) => t.http().get('/products').set('X-Forwarded-For', xff);
    expect((await via('1.1.1.1, 192.0.2.10')).status).toBe(200);
    expect((await via('2.2.2.2, 192.0.2.10')).status).toBe(200);
    expect((await via('3.3.3.3, 192.0.2.10')).status).toBe(429);
    expect((await via('192.0.2.11')).status).toBe(200);
  });
});

describe('response headers', () => {
  const t = useTestApp();

  it('sends X-Content-Type-Options: nosniff on every answer', async () => {
    const alice = t.token('alice');
    const answers = [
      await t.http().get('/health'),
      await t.http().get('/products'),
      await t.http().post('/carts').set('Authorization', alice).send({}),
      await t.http().post('/carts').send({}),
      await t.http().post('/carts').set('Authorization', alice).set('Content-Type', 'application/json').send('{"oops":'),
      await t.http().get('/no-such-route'),
      await t.http().get('/docs-json'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 201, 401, 400, 404, 200]);
    for (const r of answers) expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it("sends helmet's security headers on every answer, the CSP without upgrade-insecure-requests", async () => {
    const answers = [await t.http().get('/products'), await t.http().get('/no-such-route'), await t.http().get('/docs-json')];
    for (const r of answers) {
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    }
  });

  it('sends Cache-Control: no-store on answers to a signed-in caller, not on the public catalog', async () => {
    const alice = t.token('alice');
    const cartId = (await t.http().post('/carts').set('Authorization', alice).send({}).expect(201)).body.id;
    for (const res of [
      await t.http().get(`/carts/${cartId}`).set('Authorization', alice),
      await t.http().get('/orders').set('Authorization', alice),
      await t.http().get('/orders/00000000-0000-4000-8000-000000000000').set('Authorization', alice),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect((await t.http().get('/products')).headers['cache-control']).toBeUndefined();
  });

  it('sends no CORS headers without CORS_ORIGINS', async () => {
    const res = await t.http().get('/products').set('Origin', 'https://shop.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS', () => {
  const t = useTestApp({ CORS_ORIGINS: 'https://shop.example, https://admin.shop.example' });

  it('allows the listed origins, preflight included, and no other', async () => {
    const preflight = await t
      .http()
      .options('/carts')
      .set('Origin', 'https://shop.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
    const read = await t.http().get('/products').set('Origin', 'https://admin.shop.example');
    expect(read.headers['access-control-allow-origin']).toBe('https://admin.shop.example');
    expect(read.headers['access-control-expose-headers']).toMatch(/X-Projection-Position/);
    const other = await t.http().get('/products').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
