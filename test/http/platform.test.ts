import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET, useTestApp } from '../support/app.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function signHs256(header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('platform over HTTP', () => {
  const t = useTestApp();

  it('reports health once the database is reachable', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('serves the OpenAPI document and Prometheus metrics', async () => {
    const docs = await t.http().get('/docs-json').expect(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/products', '/carts/{id}/checkout', '/orders/{id}/pay']));
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/docs-json",status_code="200"\} 1/);
  });

  describe('identity', () => {
    const protectedRoute = () => t.http().post('/carts').send({});

    it('answers 401 UNAUTHENTICATED without a token', async () => {
      const res = await protectedRoute().expect(401);
      expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String) });
    });

    it.each([
      ['malformed', 'Bearer not-a-jwt'],
      ['expired', `Bearer ${signHs256({ alg: 'HS256', typ: 'JWT' }, { sub: 'a', roles: ['customer'], exp: 1000 })}`],
      ['wrongly signed', `Bearer ${signHs256({ alg: 'HS256', typ: 'JWT' }, { sub: 'a', roles: ['customer'], exp: inAnHour() }, 'another-secret-entirely-0000')}`],
      ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'a', roles: ['admin'], exp: inAnHour() })}.`],
      ['HS512 with the right secret', `Bearer ${(() => {
        const unsigned = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ sub: 'a', roles: ['admin'], exp: inAnHour() })}`;
        return `${unsigned}.${createHmac('sha512', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
      })()}`],
      ['without exp', `Bearer ${signHs256({ alg: 'HS256', typ: 'JWT' }, { sub: 'a', roles: ['customer'] })}`],
      ['without sub', `Bearer ${signHs256({ alg: 'HS256', typ: 'JWT' }, { roles: ['customer'], exp: inAnHour() })}`],
      ['not bearer', 'Basic dXNlcjpwYXNz'],
    ])('answers 401 for a %s token', async (_, header) => {
      const res = await protectedRoute().set('Authorization', header).expect(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    });

    it('accepts a valid customer token', async () => {
      await protectedRoute().set('Authorization', t.token('alice')).expect(201);
    });

    it('answers 403 FORBIDDEN to a customer on an admin route', async () => {
      const res = await t.http().post('/products').set('Authorization', t.token('alice')).send({ sku: 'X', name: 'x', priceCents: 1, stock: 1 }).expect(403);
      expect(res.body).toEqual({ statusCode: 403, code: 'FORBIDDEN', message: expect.any(String) });
    });
  });

  describe('bad input', () => {
    it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
      const res = await t.http().post('/carts').set('Authorization', t.token('alice')).set('Content-Type', 'application/json').send('{"oops":').expect(400);
      expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_JSON', message: expect.any(String) });
    });

    it('answers 413 PAYLOAD_TOO_LARGE for a body over 64 KiB', async () => {
      const res = await t
        .http()
        .post('/carts')
        .set('Authorization', t.token('alice'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }))
        .expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 400 VALIDATION_FAILED for unknown properties, with details', async () => {
      const res = await t.http().post('/carts').set('Authorization', t.token('alice')).send({ owner: 'bob' }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'owner' })]);
    });

    it('answers 404 NOT_FOUND for an unknown route', async () => {
      const res = await t.http().get('/no-such-route').expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });
  });
});

describe('rate limiting', () => {
  const t = useTestApp({ RATE_LIMIT_PER_MINUTE: '3' });

  it('answers 429 RATE_LIMITED past the per-caller limit, counting each caller apart', async () => {
    const alice = t.token('alice');
    for (let i = 0; i < 3; i++) await t.http().post('/carts').set('Authorization', alice).send({}).expect(201);
    const limited = await t.http().post('/carts').set('Authorization', alice).send({}).expect(429);
    expect(limited.body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String) });
    await t.http().post('/carts').set('Authorization', t.token('bob')).send({}).expect(201);
  });
});
