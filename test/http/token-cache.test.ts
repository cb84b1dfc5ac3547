import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/reactions/clock.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function bearer(payload: object): string {
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `Bearer ${unsigned}.${createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
}

/**
 * Verified tokens are remembered (src/http/verified-tokens.ts), but never past their `exp`: the clock
 * the service checks tokens by is driven here, so a token expires while it sits in the cache.
 */
describe('verified-token cache', () => {
  const clock = new ManualClock(new Date('2026-11-30T12:00:00Z'));
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { clock });
  });
  afterAll(() => t?.close());

  const listOrders = (authorization: string) => t.http().get('/orders').set('Authorization', authorization);

  it('refuses a cached token once its exp has passed, and accepts it up to then', async () => {
    const token = bearer({ sub: 'alice', roles: ['customer'], iat: nowSeconds(), exp: nowSeconds() + 60 });
    await listOrders(token).expect(200);
    await listOrders(token).expect(200); // now from the cache
    clock.advance(59_000);
    await listOrders(token).expect(200);
    clock.advance(1_000); // exactly exp: expired, as jsonwebtoken has it
    const refused = await listOrders(token).expect(401);
    expect(refused.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String) });
    clock.advance(-30_000); // a token refused once is not remembered as refused
    await listOrders(token).expect(200);
  });

  it('checks iat by the same clock: a token issued in the future is refused until that time comes', async () => {
    const token = bearer({ sub: 'bob', roles: ['customer'], iat: nowSeconds() + 600, exp: nowSeconds() + 3600 });
    await listOrders(token).expect(401);
    clock.advance(600_000);
    await listOrders(token).expect(200);
  });

  it('keys the cache by the whole token: another signature over the same claims is checked anew', async () => {
    const token = bearer({ sub: 'carol', roles: ['customer'], exp: nowSeconds() + 600 });
    await listOrders(token).expect(200);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    await listOrders(forged).expect(401);
  });
});
