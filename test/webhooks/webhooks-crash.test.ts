import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { adminToken, ensureBuilt, launch, serviceEnv, stopLeftovers, tempFolder, waitHealthy, waitUntil, type RunningProcess } from '../operations/service-process.js';
import { startReceiver, type Receiver } from './receiver.js';

/**
 * The acceptance test: a real receiver on loopback fails the first 3 deliveries, answers too
 * slowly once, then is unreachable for a while; meanwhile the service is killed with SIGKILL and started
 * again. At the end it has every matching event at least once, in log order, each signature verified by
 * the reference verifier, and a second, healthy endpoint was never held up by the first.
 */
const folder = tempFolder('eventshop-webhooks-');
const services = new Set<number>();
let env: Record<string, string>;
const admin = adminToken();
const receivers: Receiver[] = [];

beforeAll(async () => {
  ensureBuilt();
  env = await serviceEnv(folder.dir, {
    DATABASE_URL: await createTestDatabase(),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // Backoff in tens of milliseconds (the contract's 1 s doubling would take minutes); 12 attempts still
    // span about 13 s, longer than the receiver stays unreachable while a service runs.
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_RETRY_MAX_MS: '2000',
    WEBHOOK_TIMEOUT_MS: '300',
  });
}, 300_000);
afterAll(async () => {
  stopLeftovers(services, []);
  await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
  folder.remove();
});

async function start(): Promise<RunningProcess> {
  const service = launch(process.execPath, ['dist/main.js'], env);
  services.add(service.child.pid!);
  await waitHealthy(service, env.PORT);
  return service;
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${env.PORT}${path}`, {
    method,
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Creates a product; when it was acknowledged. */
async function product(): Promise<number> {
  const res = await api('POST', '/products', { sku: `WH-${Math.random().toString(36).slice(2, 10)}`, name: 'Thing', priceCents: 100, stock: 1 });
  expect(res.status).toBe(201);
  return Date.now();
}

describe('webhooks across failures and kill -9', () => {
  it('deliver every event at least once, in order, verified, and never hold up a healthy endpoint', async () => {
    const flaky = await startReceiver((_request, attempt) => (attempt <= 3 ? { status: 500 } : attempt === 4 ? { status: 200, delayMs: 1_000 } : { status: 200 }));
    const healthy = await startReceiver();
    receivers.push(flaky, healthy);

    let service = await start();
    const a = (await api('POST', '/admin/webhooks', { url: flaky.url, eventTypes: ['ProductCreated'] })).body as { id: string; secret: string; position: string };
    const b = (await api('POST', '/admin/webhooks', { url: healthy.url, eventTypes: ['ProductCreated'] })).body as { id: string; secret: string };

    const acknowledged: number[] = [];
    for (let i = 0; i < 5; i++) acknowledged.push(await product());
    // 3 failures, then the slow answer (past the 300 ms timeout: a failure too, though the receiver got it).
    await waitUntil('four attempts at the flaky endpoint', () => (flaky.attempts.length >= 4 ? true : undefined), 30_000);
    await flaky.close();
    await waitUntil('the healthy endpoint to have all five', () => (healthy.received.length >= 5 ? true : undefined), 30_000);
    expect(new Set(flaky.received.map((r) => r.id)).size).toBeLessThanOrEqual(1);

    service.child.kill('SIGKILL');
    await service.exited;
    service = await start();
    for (let i = 0; i < 5; i++) acknowledged.push(await product());
    await waitUntil('the healthy endpoint to have all ten', () => (new Set(healthy.received.map((r) => r.id)).size >= 10 ? true : undefined), 30_000);
    await flaky.reopen();
    await waitUntil('the flaky endpoint to have all ten', () => (new Set(flaky.received.map((r) => r.id)).size >= 10 ? true : undefined), 60_000);

    const log = (await api('GET', `/admin/events?after=${a.position}&type=ProductCreated&limit=1000`)).body as { events: { eventId: string }[] };
    const expected = log.events.map((e) => e.eventId);
    expect(expected).toHaveLength(10);
    for (const [receiver, secret] of [[flaky, a.secret], [healthy, b.secret]] as const) {
      const bodies = receiver.verified(secret);
      const firstSeen = [...new Set(bodies.map((body) => body.data.eventId))];
      expect(firstSeen).toEqual(expected);
      // In order: each event arrives only once every earlier one was taken (a repeat comes right after its first).
      const order = bodies.map((body) => expected.indexOf(body.data.eventId));
      for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1]);
    }
    // The healthy endpoint got each event soon after it was acknowledged, failures and all.
    const firstReceipt = new Map<string, number>();
    for (const r of healthy.received) if (!firstReceipt.has(r.id)) firstReceipt.set(r.id, r.at);
    const healthyLag = expected.map((id, i) => firstReceipt.get(id)! - acknowledged[i]);
    expect(Math.max(...healthyLag)).toBeLessThan(3_000);
    const status = (await api('GET', `/admin/webhooks/${a.id}`)).body as { status: string; failedAttempts: number };
    expect(status).toMatchObject({ status: 'active', failedAttempts: 0 });
    service.child.kill('SIGTERM');
    await service.exited;
  }, 240_000);
});
