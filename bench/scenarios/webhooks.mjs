import { Buffer } from 'node:buffer';
import http from 'node:http';
import { mapConcurrent } from '../lib/api-client.mjs';
import { httpLoad } from '../lib/http-load.mjs';
import { fmt, range, repeatInterleaved } from '../lib/repeat.mjs';
import { percentiles } from '../lib/stats.mjs';

const ENDPOINTS = 10;
/** How long to wait, after a run, for the receivers to have every event before giving up on the figure. */
const DRAIN_LIMIT_MS = 120_000;

/**
 * The add-item load with 10 webhook endpoints on loopback taking every event, against the same load
 * without them and the CRUD baseline, interleaved. Delivery lag = receipt by the receiver minus the
 * event's occurredAt (both clocks of this machine).
 */
export async function webhooksScenario(ctx) {
  const { settings: s, app, tokens } = ctx;
  const title = 'webhooks';
  const section = { id: 'webhooks', title: `Add an item with ${ENDPOINTS} webhook endpoints on loopback (${s.connections} connections)`, figures: [], ratios: [], notes: [] };

  const products = await createProducts(ctx);
  const customerAuth = (i) => tokens(`bench-wh-${i % 200}`);
  const receivers = await Promise.all(range(ENDPOINTS).map(() => startReceiver()));
  const { server: crud } = await ctx.startCrudBaseline('CRUD baseline (webhooks)', 'bench_crud_webhooks');

  let carts = [];
  const requestFor = () => {
    let n = 0;
    return () => {
      const i = n++;
      const cart = carts[i % carts.length];
      const productId = products[(i + Math.floor(i / carts.length)) % products.length];
      return { method: 'POST', path: `/carts/${cart.id}/items`, headers: { 'content-type': 'application/json', authorization: cart.auth }, body: JSON.stringify({ productId, quantity: 1 }) };
    };
  };
  const load = async (baseUrl, warmup) => httpLoad({ baseUrl, connections: s.connections, durationSec: warmup ? s.warmupSec : s.runSec, next: requestFor() });
  const describe = (r) => `${fmt(r.perSecond)} commands/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms${r.lag ? `; delivery lag p50 ${fmt(r.lag.p50, 1)} ms, p99 ${fmt(r.lag.p99, 1)} ms` : ''}`;

  const targets = [
    {
      key: 'plain',
      label: 'eventshop, no endpoints',
      servicePid: app.service.pid,
      describe,
      run: async ({ warmup, beforeLoad }) => {
        carts = await createCarts(app.api, s.carts, customerAuth);
        await beforeLoad();
        return load(app.baseUrl, warmup);
      },
    },
    {
      key: 'hooks',
      label: `eventshop, ${ENDPOINTS} endpoints`,
      servicePid: app.service.pid,
      describe,
      run: async ({ warmup, beforeLoad }) => {
        carts = await createCarts(app.api, s.carts, customerAuth);
        await beforeLoad();
        const hooks = await Promise.all(receivers.map((r) => app.api.expect(201, 'POST', '/admin/webhooks', { auth: app.adminAuth, body: { url: r.url, eventTypes: ['*'] } })));
        receivers.forEach((r) => r.reset());
        const started = Date.now();
        const result = await load(app.baseUrl, warmup);
        // Every endpoint gets every event appended from its creation on: at least the load's commands.
        const expected = result.ok;
        const deadline = Date.now() + DRAIN_LIMIT_MS;
        while (Date.now() < deadline && receivers.some((r) => r.count < expected)) await new Promise((resolve) => setTimeout(resolve, 100));
        result.lag = percentiles(receivers.flatMap((r) => r.lags), [50, 99]);
        result.received = receivers.map((r) => r.count);
        // The lag figures cover only what arrived before the bench stopped waiting: say how much did not,
        // and the rate at which deliveries went out, which is what sets the lag when they fall behind.
        result.undelivered = receivers.reduce((sum, r) => sum + Math.max(0, expected - r.count), 0);
        result.deliveryRate = result.received.reduce((a, b) => a + b, 0) / ((Date.now() - started) / 1000);
        await Promise.all(hooks.map((hook) => app.api.expect(200, 'DELETE', `/admin/webhooks/${hook.id}`, { auth: app.adminAuth })));
        return result;
      },
    },
    {
      key: 'crud',
      label: 'CRUD baseline',
      servicePid: crud.pid,
      describe,
      run: async ({ warmup, beforeLoad }) => {
        await beforeLoad();
        return load(crud.baseUrl, warmup);
      },
    },
  ];

  try {
    const runs = await repeatInterleaved({ runs: s.runs, targets, settle: ctx.settle, progress: ctx.progress, title, quietWaitSec: s.quietWaitSec });
    const { plain: p, hooks: h, crud: c } = runs;
    const fig = (key, label, unit, values, better, digits = 0) => section.figures.push({ key, label, unit, values, better, digits });
    fig('plain.rate', 'eventshop without endpoints: commands/s', 'commands/s', p.map((r) => r.perSecond), 'higher');
    fig('hooks.rate', `eventshop with ${ENDPOINTS} endpoints: commands/s`, 'commands/s', h.map((r) => r.perSecond), 'higher');
    fig('crud.rate', 'CRUD baseline: commands/s', 'commands/s', c.map((r) => r.perSecond), 'higher');
    fig('hooks.p99', `eventshop with ${ENDPOINTS} endpoints: command p99 latency`, 'ms', h.map((r) => r.latency.p99), 'lower', 1);
    fig('lag.p50', 'delivery lag (append -> receipt), p50', 'ms', h.map((r) => r.lag.p50), 'lower', 1);
    fig('lag.p99', 'delivery lag (append -> receipt), p99', 'ms', h.map((r) => r.lag.p99), 'lower', 1);
    fig('lag.undelivered', `events not yet delivered when the bench stopped waiting (${DRAIN_LIMIT_MS / 1000} s after the load), all endpoints`, 'deliveries', h.map((r) => r.undelivered), 'lower');
    fig('lag.rate', 'deliveries/s, all endpoints (from the load\'s start until every receiver had every event, or the bench stopped waiting)', 'deliveries/s', h.map((r) => r.deliveryRate), 'higher');
    section.ratios.push(
      { label: 'eventshop without endpoints / CRUD baseline (commands/s)', figure: 'plain.rate', baseline: 'crud.rate' },
      { label: `eventshop with ${ENDPOINTS} endpoints / CRUD baseline (commands/s)`, figure: 'hooks.rate', baseline: 'crud.rate' },
      { label: `eventshop with / without ${ENDPOINTS} endpoints (commands/s)`, figure: 'hooks.rate', baseline: 'plain.rate' },
    );
    section.notes.push(
      `Each endpoint takes every event ("*"), so each command's CartItemAdded goes out ${ENDPOINTS} times. The receivers are plain node http servers in the bench process (answering 204), sharing the cores with autocannon, the service and PostgreSQL.`,
      `Delivery lag counts from the event's occurredAt (the append) to its arrival at a receiver, over all receivers, until every receiver had every event of the run (the drain after the load included), or until the bench stopped waiting, ${DRAIN_LIMIT_MS / 1000} s after the load. When events were still undelivered then, the lag figures leave them out and understate the lag: the p99 is then about the wait itself.`,
      `Events received per endpoint in the last run: ${h.at(-1)?.received.join(', ')}.`,
    );
    return [section];
  } finally {
    await crud.stop();
    await Promise.all(receivers.map((r) => r.close()));
  }
}

async function createProducts(ctx) {
  const { settings: s, app } = ctx;
  const created = await mapConcurrent(range(s.addItemProducts), 10, (i) =>
    retrying(() => app.api.request('POST', '/products', { auth: app.adminAuth, body: { sku: `BENCH-WH-${i}`, name: `Webhook product ${i}`, priceCents: 100 + i, stock: 1_000_000 } }), 201),
  );
  return created.map((r) => r.id);
}

async function createCarts(api, count, authFor) {
  return mapConcurrent(range(count), 25, async (i) => {
    const auth = authFor(i);
    const { id } = await retrying(() => api.request('POST', '/carts', { auth, body: {} }), 201);
    return { id, auth };
  });
}

/** The contract's 503 means "retry shortly": on a machine loaded by others, connecting can take longer than the service waits. */
async function retrying(send, expected) {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status === expected) return res.body;
    if (res.status !== 503 || attempt === 10) throw new Error(`answered ${res.status} (expected ${expected}): ${JSON.stringify(res.body).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

/** A loopback receiver that answers 204 and keeps each delivery's lag (receipt minus the event's occurredAt). */
async function startReceiver() {
  const state = { lags: [], count: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      try {
        state.lags.push(at - Date.parse(JSON.parse(Buffer.concat(chunks).toString()).data.occurredAt));
        state.count++;
      } catch {
        // not a delivery
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    get lags() {
      return state.lags;
    },
    get count() {
      return state.count;
    },
    reset() {
      state.lags = [];
      state.count = 0;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
