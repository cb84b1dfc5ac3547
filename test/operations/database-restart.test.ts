import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_POOL } from '../../src/database/database.tokens.js';
import { ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from '../../src/database/embedded-postgres.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { address } from '../support/shop.js';
import { freePort } from '../support/free-port.js';

/** Concurrent customers driving commands through the whole outage. */
const WORKERS = 6;
/** "Within a second or two": the pool's acquire timeout plus slack for a loaded test machine. */
const ANSWER_WITHIN_MS = 2_500;

interface Answer {
  readonly requestId: string;
  readonly label: string;
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of several shapes
  readonly body: any;
  readonly retryAfter: string | null;
  readonly startedAt: number;
  readonly ms: number;
}

/**
 * The database goes away under load and comes back: the service must answer 503 UNAVAILABLE quickly
 * while it is gone, never die, and carry on by itself once it is back, losing and doubling nothing.
 * It needs a PostgreSQL of its own to stop and start, not the run's shared one.
 */
describe('a database restart under load', () => {
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  let dir: string;
  let port: number;
  let server: RunningPostgres | undefined;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    dir = mkdtempSync(path.join(os.tmpdir(), 'eventshop-restart-pg-'));
    // The server runs as the unprivileged `postgres` user when we are root: it must reach its folder.
    chmodSync(dir, 0o755);
    port = await freePort();
    server = await startPostgres();
    t = await startTestApp({ DATABASE_URL: await ensureDatabase(server.serverUrl, 'eventshop') });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = await t.app.getUrl();
  });

  afterAll(async () => {
    try {
      await Promise.race([t?.close(), sleep(30_000)]);
    } finally {
      // Whatever happened to the app (a close that failed or hangs), the server we started goes.
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    }
  });

  const startPostgres = () => startEmbeddedPostgres({ dir: path.join(dir, 'data'), port });
  const admin = () => t.token('admin-1', ['admin']);

  async function send(label: string, method: string, route: string, token: string | undefined, body?: object): Promise<Answer> {
    const requestId = `dbr-${randomUUID()}`;
    const startedAt = Date.now();
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { 'x-request-id': requestId, ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: token } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      // A hang is a failure, not a stall of the test.
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { requestId, label, status: res.status, body: text ? JSON.parse(text) : {}, retryAfter: res.headers.get('retry-after'), startedAt, ms: Date.now() - startedAt };
  }

  it('answers 503 UNAVAILABLE within seconds when every pooled connection is taken', async () => {
    const pool = t.app.get<pg.Pool>(PG_POOL);
    const held: pg.PoolClient[] = [];
    try {
      // One at a time, again on a timeout: opening many connections at once can take a loaded machine longer.
      while (held.length < pool.options.max) {
        const client = await pool.connect().catch(() => undefined);
        if (client) held.push(client);
      }
      const answer = await send('read', 'GET', `/products/${randomUUID()}`, undefined);
      expect(answer).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' }, retryAfter: '1' });
      expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
    } finally {
      held.forEach((client) => client.release());
    }
  });

  it('answers 503 while PostgreSQL is down, stays alive, and recovers by itself with nothing lost or doubled', async () => {
    const answers: Answer[] = [];
    let loadRunning = true;
    const record = async (...args: Parameters<typeof send>) => {
      const answer = await send(...args);
      answers.push(answer);
      return answer;
    };
    const ok = (answer: Answer) => answer.status >= 200 && answer.status < 300;
    const shared = await record('product', 'POST', '/products', admin(), { sku: `HOT-${randomUUID().slice(0, 8)}`, name: 'Hot', priceCents: 500, stock: 1_000_000 });
    const sharedId: string = shared.body.id;

    // Each customer: a product, a cart, two lines (one on the hot product all workers share), a checkout.
    const worker = async (n: number) => {
      const customer = t.token(`customer-${n}`);
      while (loadRunning) {
        const product = await record('product', 'POST', '/products', admin(), { sku: `R-${randomUUID().slice(0, 12)}`, name: 'Thing', priceCents: 700, stock: 1_000 });
        const cart = await record('cart', 'POST', '/carts', customer, {});
        if (ok(product) && ok(cart)) {
          const cartId: string = cart.body.id;
          const productId: string = product.body.id;
          const lines = [
            await record('add', 'POST', `/carts/${cartId}/items`, customer, { productId, quantity: 2 }),
            await record('add', 'POST', `/carts/${cartId}/items`, customer, { productId: sharedId, quantity: 1 }),
          ];
          if (lines.every(ok)) await record('checkout', 'POST', `/carts/${cartId}/checkout`, customer, { shippingAddress: address });
        }
        // While the database is down every answer is immediate: pace the loop instead of spinning.
        if (!ok(cart)) await sleep(50);
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));
    const runner = t.app.get(ProjectionRunner);
    let ready: Answer, health: Answer, live: Answer, whileDown: Answer[];
    try {
      // Every part of the service busy: commands appending, each projection applying batches.
      await until('every projection has applied some of the load', async () => {
        const statuses = await runner.statuses();
        return answers.filter(ok).length > 40 && statuses.every((s) => BigInt(s.position) > 0n);
      });

      await server!.stop(); // SIGINT to the postmaster: a fast shutdown
      server = undefined;
      const downSince = Date.now();
      // Requests made after the server is gone (in-flight ones at the moment of the stop are judged below).
      await until('the load has met the outage', async () => answers.filter((a) => a.startedAt >= downSince).length >= 20);
      ready = await send('health', 'GET', '/health/ready', undefined);
      health = await send('health', 'GET', '/health', undefined);
      live = await send('health', 'GET', '/health/live', undefined);
      whileDown = answers.filter((a) => a.startedAt >= downSince);

      server = await startPostgres();
      const upSince = Date.now();
      await until('commands succeed again without restarting the service', async () =>
        answers.some((a) => a.startedAt >= upSince && ok(a) && a.label === 'checkout'),
      );
    } finally {
      loadRunning = false;
      // Rejects if a request hung past its 10 s timeout.
      await load;
    }

    expect(crashes).toEqual([]);
    expect(ready).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE', details: expect.arrayContaining([expect.objectContaining({ check: 'database', status: 'down' })]) } });
    expect(ready.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(health).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect(live.status).toBe(200);
    for (const answer of whileDown) {
      expect(answer).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' }, retryAfter: '1' });
      expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }
    // No answer but success, the contract's 503, or a refusal the load can cause (a conflict); none hung.
    expect(answers.filter((a) => !ok(a) && a.status !== 503 && a.status !== 409)).toEqual([]);
    expect(answers.filter((a) => a.ms > 2 * ANSWER_WITHIN_MS)).toEqual([]);

    // Every projection catches up by itself, and holds exactly what a replay of the log gives.
    await until('every projection has caught up', async () => (await runner.statuses()).every((s) => s.lag === 0 && s.status === 'running'));
    for (const name of runner.names) expect({ name, differences: await runner.verify(name) }).toEqual({ name, differences: [] });
    const readyAgain = await send('health', 'GET', '/health/ready', undefined);
    expect(readyAgain.status).toBe(200);
    expect(readyAgain.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, projections: { status: 'up' } } });
    for (const name of runner.names) expect(readyAgain.body.details.projections[name]).toMatchObject({ status: 'running', lag: 0 });

    // Every command is in the log at most once (one transaction), and every acknowledged one exactly once.
    const { rows } = await t.app.get<pg.Pool>(PG_POOL).query<{ id: string; transactions: number; last: string }>(
      `SELECT metadata->>'correlationId' AS id, count(DISTINCT transaction_id)::int AS transactions, max(global_position)::text AS last
       FROM events WHERE metadata->>'correlationId' LIKE 'dbr-%' GROUP BY 1`,
    );
    const logged = new Map(rows.map((row) => [row.id, row]));
    expect(rows.filter((row) => row.transactions !== 1)).toEqual([]);
    const acknowledged = answers.filter((a) => ok(a) && a.label !== 'health');
    expect(acknowledged.filter((a) => logged.get(a.requestId)?.last !== a.body.position)).toEqual([]);
    const { rows: gaps } = await t.app.get<pg.Pool>(PG_POOL).query(
      'SELECT stream_id FROM events GROUP BY stream_id HAVING count(*) <> max(version) OR min(version) <> 1',
    );
    expect(gaps).toEqual([]);
  });
});

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

