import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebhookDispatcher } from '../../src/modules/webhooks/webhook-dispatcher.js';
import { useTestApp } from '../support/app.js';
import { startReceiver, type Receiver } from './receiver.js';

/** Tiny retry delays and timeout, so backoff runs in milliseconds (the contract's are 1 s doubling to 1 h, and 10 s). */
const FAST = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '5', WEBHOOK_RETRY_MAX_MS: '40', WEBHOOK_TIMEOUT_MS: '1000' };
const WAIT = { timeout: 20_000, interval: 50 };

describe('webhooks', () => {
  const t = useTestApp(FAST);
  const s = t.shop;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  afterAll(() => Promise.all(receivers.map((r) => r.close())));

  async function register(url: string, eventTypes: string[] = ['*']) {
    const res = await t.http().post('/admin/webhooks').set('Authorization', s.admin).send({ url, eventTypes }).expect(201);
    return res.body as { id: string; secret: string; position: string };
  }

  /** The log's events after `after`, in order, of the given types (all when omitted). */
  async function logAfter(after: string, types?: string[]) {
    const res = await t.http().get('/admin/events').query({ after, limit: 1000 }).set('Authorization', s.admin).expect(200);
    return (res.body.events as { eventId: string; type: string; position: string }[]).filter((e) => !types || types.includes(e.type));
  }

  it('delivers every matching event once, in log order, signed as the reference verifier expects', async () => {
    const r = await receiver();
    const hook = await register(r.url, ['OrderPlaced', 'CartItemAdded']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const alice = t.token('alice');
    await s.order(alice);
    await s.order(alice);
    const expected = await logAfter(hook.position, ['OrderPlaced', 'CartItemAdded']);
    expect(expected.map((e) => e.type)).toEqual(['CartItemAdded', 'OrderPlaced', 'CartItemAdded', 'OrderPlaced']);
    await vi.waitFor(() => expect(r.received).toHaveLength(expected.length), WAIT);
    const bodies = r.verified(hook.secret);
    expect(bodies.map((b) => b.data.eventId)).toEqual(expected.map((e) => e.eventId));
    expect(r.received.map((x) => x.id)).toEqual(expected.map((e) => e.eventId));
    expect(bodies[1]).toMatchObject({ type: 'OrderPlaced', data: { type: 'OrderPlaced', position: expected[1].position } });
    // A wrong secret does not verify: the check above is not vacuous.
    expect(() => r.verified(`whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toThrow();
  });

  it('retries a failing endpoint with backoff and keeps the order: nothing overtakes a failing event', async () => {
    const r = await receiver((_req, attempt) => (attempt <= 3 ? { status: 500 } : { status: 200 }));
    const hook = await register(r.url, ['ProductCreated']);
    const first = await s.product();
    const second = await s.product();
    await vi.waitFor(() => expect(r.received).toHaveLength(2), WAIT);
    expect(r.attempts.map((a) => JSON.parse(a.body).data.streamId)).toEqual([first, first, first, first, second]);
    const log = await t.http().get(`/admin/webhooks/${hook.id}/deliveries`).set('Authorization', s.admin).expect(200);
    expect(log.body.items.map((d: { attempt: number; status: string }) => [d.attempt, d.status])).toEqual([
      [1, 'delivered'], [4, 'delivered'], [3, 'failed'], [2, 'failed'], [1, 'failed'],
    ]);
    expect(log.body.items[2]).toMatchObject({ responseStatus: 500, error: 'HTTP 500: ok' });
    const failed = await t.http().get(`/admin/webhooks/${hook.id}/deliveries`).query({ status: 'failed', limit: 2 }).set('Authorization', s.admin).expect(200);
    expect(failed.body.items.map((d: { attempt: number }) => d.attempt)).toEqual([3, 2]);
    const next = await t.http().get(`/admin/webhooks/${hook.id}/deliveries`).query({ status: 'failed', limit: 2, cursor: failed.body.nextCursor }).set('Authorization', s.admin).expect(200);
    expect(next.body).toMatchObject({ items: [{ attempt: 1 }], nextCursor: null });

    // The log is purged by age (WEBHOOK_DELIVERY_LOG_DAYS, 7 by default): nothing is old yet, all is in 8 days.
    const dispatcher = t.app.get(WebhookDispatcher);
    expect(await dispatcher.purge()).toBe(0);
    expect(await dispatcher.purge(new Date(Date.now() + 8 * 86_400_000))).toBeGreaterThanOrEqual(5);
    const purged = await t.http().get(`/admin/webhooks/${hook.id}/deliveries`).set('Authorization', s.admin).expect(200);
    expect(purged.body.items).toEqual([]);
  });

  it('disables an endpoint after 12 failed attempts of one event, skipping nothing; active: true resumes exactly there', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const hook = await register(r.url, ['ProductCreated']);
    const first = await s.product();
    await vi.waitFor(async () => {
      const res = await t.http().get(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).expect(200);
      expect(res.body).toMatchObject({ status: 'disabled', active: false, failedAttempts: 12, lastError: 'HTTP 503: ok' });
    }, WAIT);
    expect(r.attempts).toHaveLength(12);
    const second = await s.product();
    r.setAnswer(() => ({ status: 200 }));
    await t.http().patch(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).send({ active: true }).expect(200);
    await vi.waitFor(() => expect(r.received).toHaveLength(2), WAIT);
    expect(r.received.map((x) => JSON.parse(x.body).data.streamId)).toEqual([first, second]);
    const res = await t.http().get(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).expect(200);
    expect(res.body).toMatchObject({ status: 'active', failedAttempts: 0 });
    expect(res.body.lastError).toBeUndefined();
  });

  it('replays every matching event from a position on', async () => {
    const r = await receiver();
    const hook = await register(r.url, ['ProductCreated']);
    const products = [await s.product(), await s.product(), await s.product()];
    await vi.waitFor(() => expect(r.received).toHaveLength(3), WAIT);
    const second = (await logAfter(hook.position, ['ProductCreated']))[1];
    await t.http().post(`/admin/webhooks/${hook.id}/replay`).set('Authorization', s.admin).send({ fromPosition: second.position }).expect(202);
    await vi.waitFor(() => expect(r.received).toHaveLength(5), WAIT);
    expect(r.received.map((x) => JSON.parse(x.body).data.streamId)).toEqual([...products, products[1], products[2]]);
  });

  it('one slow endpoint does not delay another', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 800 }));
    const fast = await receiver();
    await register(slow.url, ['ProductCreated']);
    await register(fast.url, ['ProductCreated']);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await s.product();
    await vi.waitFor(() => expect(fast.received).toHaveLength(3), WAIT);
    expect(slow.received.length).toBeLessThan(3);
    expect(Date.now() - started).toBeLessThan(2_400);
    await vi.waitFor(() => expect(slow.received).toHaveLength(3), WAIT);
  });

  it('manages endpoints: never shows the secret again; admins only; validation; 404s', async () => {
    const hook = await register('http://127.0.0.1:9/x', ['OrderPlaced']);
    const one = await t.http().get(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).expect(200);
    expect(one.body).toMatchObject({ id: hook.id, url: 'http://127.0.0.1:9/x', eventTypes: ['OrderPlaced'], status: 'active', active: true, description: null });
    expect(one.body.secret).toBeUndefined();
    const all = await t.http().get('/admin/webhooks').set('Authorization', s.admin).expect(200);
    expect(all.body.map((w: { id: string }) => w.id)).toContain(hook.id);
    expect(JSON.stringify(all.body)).not.toContain(hook.secret);
    const changed = await t.http().patch(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).send({ eventTypes: ['*'], description: 'all', active: false }).expect(200);
    expect(changed.body).toMatchObject({ eventTypes: ['*'], description: 'all', status: 'disabled' });
    await t.http().delete(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).expect(200);
    await t.http().get(`/admin/webhooks/${hook.id}`).set('Authorization', s.admin).expect(404);
    await t.http().get(`/admin/webhooks/${hook.id}/deliveries`).set('Authorization', s.admin).expect(404);
    await t.http().post(`/admin/webhooks/${hook.id}/replay`).set('Authorization', s.admin).send({ fromPosition: '0' }).expect(404);
    await t.http().get('/admin/webhooks').set('Authorization', t.token('alice')).expect(403);
    await t.http().post('/admin/webhooks').set('Authorization', s.admin).send({ url: 'ftp://example.com/', eventTypes: ['*'] }).expect(400);
    await t.http().post('/admin/webhooks').set('Authorization', s.admin).send({ url: 'https://example.com/', eventTypes: [] }).expect(400);
    await t.http().post('/admin/webhooks').set('Authorization', s.admin).send({ url: 'https://example.com/', eventTypes: ['*'], secret: 'mine' }).expect(400);
    await t.http().post(`/admin/webhooks/${hook.id}/replay`).set('Authorization', s.admin).send({ fromPosition: 5 }).expect(400);
  });
});

describe('webhook addresses', () => {
  const t = useTestApp();
  const admin = t.shop.admin;
  let r: Receiver;
  beforeAll(async () => {
    r = await startReceiver();
  });
  afterAll(() => r.close());

  it.each(['http://127.0.0.1/x', 'http://localhost:8080/x', 'http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[::ffff:192.168.0.1]/', 'http://0.0.0.0/'])(
    'refuses %s without WEBHOOK_ALLOW_PRIVATE',
    async (url) => {
      const res = await t.http().post('/admin/webhooks').set('Authorization', admin).send({ url, eventTypes: ['*'] }).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'url' }] });
    },
  );
});
