import { mapConcurrent } from '../lib/api-client.mjs';
import { httpLoad } from '../lib/http-load.mjs';
import { fmt, range, repeatInterleaved } from '../lib/repeat.mjs';
import { seedCarts } from '../lib/seed-sql.mjs';
import { reportFailures } from './add-item.mjs';

export const SHIPPING_ADDRESS = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const CUSTOMERS = 100;
const LINES = 3;

/**
 * Checkout of 3-line carts over HTTP: one atomic append to the cart, the new order and three product
 * streams. The carts are written straight into the log before each run (CartCreated + 3 CartItemAdded,
 * as the API would write them), three times as many as the fastest run so far needed.
 */
export async function checkoutScenario(ctx) {
  const { settings: s, app, progress, tokens } = ctx;
  const title = 'checkout';
  const section = {
    id: 'checkout',
    title: `Checkout over HTTP (3-line carts, ${s.connections} connections)`,
    figures: [],
    ratios: [],
    notes: [],
  };
  const products = (
    await mapConcurrent(range(s.checkoutProducts), 10, (i) =>
      app.api.expect(201, 'POST', '/products', {
        auth: app.adminAuth,
        body: { sku: `BENCH-CO-${i}`, name: `Checkout product ${i}`, priceCents: 500 + i, stock: 1_000_000 },
      }),
    )
  ).map((r) => r.id);

  let seeded = 0;
  let rate = 0;
  let ranOut = 0;
  const target = {
    key: 'app',
    label: 'eventshop',
    describe: (r) => `${fmt(r.perSecond)} checkouts/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`,
    run: async ({ warmup, beforeLoad }) => {
      const durationSec = warmup ? s.warmupSec : s.runSec;
      // Three times what the fastest run so far needs (the warm-up may have been slowed down by a
      // neighbour), so that a run never runs out of carts; seeding is cheap, but the projections must
      // then catch up with 4 events per cart before the run.
      const count = Math.ceil(Math.max(rate, warmup ? 1000 : 300) * durationSec * 3) + 500;
      const carts = await seedCarts(app.pool, { count, customers: CUSTOMERS, customerPrefix: 'bench-co-', productIds: products, lines: LINES, firstIndex: seeded });
      seeded += count;
      await beforeLoad();
      let n = 0;
      const result = await httpLoad({
        baseUrl: app.baseUrl,
        connections: s.connections,
        durationSec,
        next: () => {
          const i = n++;
          if (i >= carts.length) ranOut++;
          const cart = carts[i % carts.length];
          return {
            method: 'POST',
            path: `/carts/${cart.cartId}/checkout`,
            headers: { 'content-type': 'application/json', authorization: tokens(cart.customerId) },
            body: JSON.stringify({ shippingAddress: SHIPPING_ADDRESS }),
          };
        },
      });
      rate = Math.max(rate, result.perSecond);
      return result;
    },
  };
  const { app: runs } = await repeatInterleaved({ runs: s.runs, targets: [target], settle: ctx.settle, progress, title, quietWaitSec: s.quietWaitSec });
  section.figures.push(
    { key: 'rate', label: 'checkouts/s', unit: 'checkouts/s', values: runs.map((r) => r.perSecond), better: 'higher', summary: true },
    { key: 'p50', label: 'p50 latency', unit: 'ms', values: runs.map((r) => r.latency.p50), better: 'lower', digits: 1 },
    { key: 'p99', label: 'p99 latency', unit: 'ms', values: runs.map((r) => r.latency.p99), better: 'lower', digits: 1, summary: true },
  );
  reportFailures(section, { eventshop: runs });
  if (ranOut) section.notes.push(`${ranOut} requests found no fresh cart left (they checked out a cart twice: 409).`);
  section.notes.push(
    `Each cart holds ${LINES} lines of quantity 1 and is owned by one of ${CUSTOMERS} customers; ${fmt(s.checkoutProducts)} products with ample stock. Consecutive carts use disjoint products, so the checkouts in flight do not contend on product streams: this is the uncontended cost of the 5-stream append (a hot product would add optimistic-concurrency retries).`,
    'The carts are seeded straight into the events table before each run (not timed); the service\'s projections catch up before the run starts.',
  );
  return [section];
}
