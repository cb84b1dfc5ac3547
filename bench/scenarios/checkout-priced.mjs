import { mapConcurrent } from '../lib/api-client.mjs';
import { httpLoad } from '../lib/http-load.mjs';
import { fmt, range, repeatInterleaved } from '../lib/repeat.mjs';
import { seedCarts } from '../lib/seed-sql.mjs';
import { reportFailures } from './add-item.mjs';
import { SHIPPING_ADDRESS } from './checkout.mjs';

const CUSTOMERS = 100;
const LINES = 3;
const CODE = 'BENCH-SAVE10';

/**
 * Checkout with a discount code and a shipping method (issue 13), against plain checkout in the same
 * run, interleaved. Priced checkouts ship to France, which one method serves and taxes at 20%; plain
 * ones to Great Britain, which no method serves (so they need no shippingMethodId). The code has no
 * total limit and allows each customer a million uses, so its redemptions go to per-customer streams:
 * this measures the cost of pricing and redeeming, not a hot code (a code with maxRedemptions
 * serialises its checkouts on its own stream, by design).
 */
export async function checkoutPricedScenario(ctx) {
  const { settings: s, app, progress, tokens } = ctx;
  const title = 'checkout with discount and shipping';
  const section = {
    id: 'checkout-priced',
    title: `Checkout with a discount code and shipping over HTTP (3-line carts, ${s.connections} connections)`,
    figures: [],
    ratios: [],
    notes: [],
  };
  const products = (
    await mapConcurrent(range(s.checkoutProducts), 10, (i) =>
      app.api.expect(201, 'POST', '/products', {
        auth: app.adminAuth,
        body: { sku: `BENCH-CP-${i}`, name: `Priced checkout product ${i}`, priceCents: 500 + i, stock: 1_000_000 },
      }),
    )
  ).map((r) => r.id);
  const method = await app.api.expect(201, 'POST', '/shipping-methods', {
    auth: app.adminAuth,
    body: { code: 'BENCH-FR', name: 'Bench France', priceCents: 499, freeOverCents: 100_000, countries: ['FR'] },
  });
  await app.api.expect(200, 'PUT', '/tax-rates/FR', { auth: app.adminAuth, body: { rateBasisPoints: 2000 } });
  const code = await app.api.expect(201, 'POST', '/discount-codes', {
    auth: app.adminAuth,
    body: { code: CODE, kind: 'percent', value: 10, maxPerCustomer: 1_000_000 },
  });

  let seeded = 0;
  const rates = { plain: 0, priced: 0 };
  let ranOut = 0;
  const target = (key, label, priced) => ({
    key,
    label,
    describe: (r) => `${fmt(r.perSecond)} checkouts/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`,
    run: async ({ warmup, beforeLoad }) => {
      const durationSec = warmup ? s.warmupSec : s.runSec;
      // As in the checkout scenario: three times what the fastest run so far needs.
      const count = Math.ceil(Math.max(rates[key], warmup ? 1000 : 300) * durationSec * 3) + 500;
      const carts = await seedCarts(app.pool, {
        count,
        customers: CUSTOMERS,
        customerPrefix: `bench-cp-${key}-`,
        productIds: products,
        lines: LINES,
        firstIndex: seeded,
        discount: priced ? { codeId: code.id, code: CODE } : null,
      });
      seeded += count;
      await beforeLoad();
      let n = 0;
      const body = JSON.stringify(priced ? { shippingAddress: { ...SHIPPING_ADDRESS, country: 'FR' }, shippingMethodId: method.id } : { shippingAddress: SHIPPING_ADDRESS });
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
            body,
          };
        },
      });
      rates[key] = Math.max(rates[key], result.perSecond);
      return result;
    },
  });
  const runs = await repeatInterleaved({
    runs: s.runs,
    targets: [target('plain', 'plain checkout', false), target('priced', 'checkout with code and shipping', true)],
    settle: ctx.settle,
    progress,
    title,
    quietWaitSec: s.quietWaitSec,
  });
  for (const key of ['plain', 'priced']) {
    const prefix = key === 'plain' ? 'plain: ' : 'with code and shipping: ';
    section.figures.push(
      { key: `${key}.rate`, label: `${prefix}checkouts/s`, unit: 'checkouts/s', values: runs[key].map((r) => r.perSecond), better: 'higher', summary: true },
      { key: `${key}.p99`, label: `${prefix}p99 latency`, unit: 'ms', values: runs[key].map((r) => r.latency.p99), better: 'lower', digits: 1, summary: true },
    );
  }
  section.ratios.push({ label: 'with code and shipping / plain (checkouts/s)', figure: 'priced.rate', baseline: 'plain.rate' });
  reportFailures(section, { plain: runs.plain, priced: runs.priced });
  if (ranOut) section.notes.push(`${ranOut} requests found no fresh cart left (they checked out a cart twice: 409).`);
  section.notes.push(
    'A priced checkout also reads the shipping methods, the tax rates, the code and the customer\'s redemptions of it, and appends one more stream (the redemption): a 6-stream append instead of 5.',
  );
  return [section];
}
