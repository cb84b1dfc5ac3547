import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { mapConcurrent } from '../lib/api-client.mjs';
import { httpLoad } from '../lib/http-load.mjs';
import { openPool } from '../lib/postgres.mjs';
import { projectionLag } from '../lib/projections-wait.mjs';
import { fmt, range, repeatInterleaved } from '../lib/repeat.mjs';
import { seedEmptyCarts, seedProducts } from '../lib/seed-sql.mjs';
import { gcFigures, loopDelayFigures, runtimeDuring, scrapeRuntime } from '../lib/service-runtime.mjs';
import { sampleMemory } from '../lib/service-process.mjs';
import { percentiles } from '../lib/stats.mjs';

const LAG_CARTS = 20;
/**
 * The probe starts a sample this often (on a cart with none in flight): up to 20 samples/s, about 200 a
 * run, so that a run's p99 is its second-worst sample rather than its worst (at 10/s it was the worst).
 * The client clock runs on every second one (lag-probe.mjs).
 */
const LAG_INTERVAL_MS = 50;

/**
 * Add an item to a cart: eventshop over HTTP, against the CRUD baseline over HTTP and against the
 * command's own SQL through bare pg, interleaved. During eventshop's measured runs a worker thread
 * probes projection lag and the service's RSS is sampled every 100 ms.
 */
export async function addItemScenario(ctx) {
  const { settings: s, app, progress, tokens } = ctx;
  const title = 'add item';
  const section = {
    id: 'add-item',
    title: `Add an item to a cart over HTTP (${s.connections} connections, ${fmt(s.carts)} carts)`,
    figures: [],
    ratios: [],
    notes: [],
  };

  // --- arrange: products, the two baselines -------------------------------------------------------
  const products = (
    await mapConcurrent(range(s.addItemProducts), 10, (i) =>
      app.api.expect(201, 'POST', '/products', {
        auth: app.adminAuth,
        body: { sku: `BENCH-ADD-${i}`, name: `Add-item product ${i}`, priceCents: 100 + i, stock: 1_000_000 },
      }),
    )
  ).map((r) => r.id);
  const customerAuth = (i) => tokens(`bench-add-${i % 200}`);

  const rawUrl = await ctx.pg.createDatabase('bench_pg_baseline', { migrate: true });
  const rawPool = openPool(rawUrl, s.connections);
  const rawProducts = await seedProducts(rawPool, { count: s.addItemProducts, stock: 1_000_000 });

  const { server: crud } = await ctx.startCrudBaseline('CRUD baseline', 'bench_crud_baseline');

  const lagMode = await chooseLagMode(ctx, products[0], customerAuth);
  if (lagMode.skipped) section.notes.push(`Projection lag: ${lagMode.skipped}`);

  // Each eventshop run gets fresh carts, so every run starts from the same stream lengths; the CRUD run
  // that follows reuses their ids (it does not look carts up), the pg run gets its own in its database.
  let currentCarts = [];
  const requestFor = (carts) => {
    let n = 0;
    return () => {
      const i = n++;
      const cart = carts[i % carts.length];
      // Each pass over the carts moves on to the next product, so carts grow lines, not one line's quantity.
      const productId = products[(i + Math.floor(i / carts.length)) % products.length];
      return {
        method: 'POST',
        path: `/carts/${cart.id}/items`,
        headers: { 'content-type': 'application/json', authorization: cart.auth },
        body: JSON.stringify({ productId, quantity: 1 }),
      };
    };
  };
  const describeHttp = (r) => `${fmt(r.perSecond)} commands/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`;

  const targets = [
    {
      key: 'app',
      label: 'eventshop',
      servicePid: app.service.pid,
      describe: (r) => `${describeHttp(r)}${r.lag ? `; lag p99 ${fmt(r.lag.tableP99, 1)} ms (read model)` : ''}; event-loop delay p99 ${fmt(r.runtime.loopDelay.p99, 1)} ms; peak RSS ${fmt(r.memory.peakRssMB)} MB`,
      run: (options) => runEventshop(options, { floor: false }),
    },
    {
      key: 'crud',
      label: 'CRUD baseline',
      servicePid: crud.pid,
      describe: describeHttp,
      run: async ({ warmup, beforeLoad }) => {
        await beforeLoad();
        return httpLoad({ baseUrl: crud.baseUrl, connections: s.connections, durationSec: warmup ? s.warmupSec : s.runSec, next: requestFor(currentCarts) });
      },
    },
    bareTarget('pg', 'bare pg', false),
    bareTarget('pgAppend', 'bare pg, append only', true),
    ...(lagMode.skipped ? [] : [lagFloorTarget()]),
  ];

  /** One eventshop run; with `floor`, the lag floor's projector follows the log meanwhile (measured runs only). */
  async function runEventshop({ warmup, beforeLoad }, { floor }) {
    currentCarts = await createCarts(app.api, s.carts, customerAuth);
    const lagCarts = lagMode.skipped ? [] : await createCarts(app.api, LAG_CARTS, (i) => tokens(`bench-lag-${i}`));
    await beforeLoad();
    const runtimeBefore = await scrapeRuntime(app); // a scrape resets the service's event-loop delay histogram
    const memory = sampleMemory(app.service.pid);
    const floorProjector = floor && !warmup ? await startLagFloor(app.databaseUrl) : null;
    const probe = !warmup && !lagMode.skipped
      ? startLagProbe({ baseUrl: app.baseUrl, databaseUrl: app.databaseUrl, carts: lagCarts, productId: products[0], mode: lagMode.mode, floorTable: floorProjector && 'lag_floor_view' })
      : null;
    const result = await httpLoad({
      baseUrl: app.baseUrl,
      connections: s.connections,
      durationSec: warmup ? s.warmupSec : s.runSec,
      next: requestFor(currentCarts),
    });
    result.runtime = runtimeDuring(runtimeBefore, await scrapeRuntime(app));
    // How far behind the projections were when the load stopped, and how long they took to catch up.
    const behind = await projectionLag(app);
    const drainStart = performance.now();
    result.backlog = behind ? Math.max(0, ...behind.map((p) => Number(p.lag))) : NaN;
    result.lag = await probe?.stop();
    result.floor = await floorProjector?.stop();
    result.memory = memory.stop();
    await ctx.settle();
    result.drainMs = performance.now() - drainStart;
    return result;
  }

  /**
   * The lag's floor: eventshop under the same load again, with the least a projection could do
   * (lag-floor.mjs) following the same log in a worker thread of the bench, timed by the same probe from
   * the same command answers. Its own runs, so that the floor's work does not weigh on eventshop's figures.
   */
  function lagFloorTarget() {
    return {
      key: 'lagFloor',
      label: 'eventshop + lag floor',
      servicePid: app.service.pid,
      describe: (r) => `${describeHttp(r)}${r.lag ? `; lag p99 ${fmt(r.lag.tableP99, 1)} ms (read model), ${fmt(r.lag.floorP99, 1)} ms (floor)` : ''}`,
      run: (options) => runEventshop(options, { floor: true }),
    };
  }

  /** The command's SQL through bare pg, on fresh carts each run; `appendOnly`: the append alone. */
  function bareTarget(key, label, appendOnly) {
    return {
      key,
      label,
      describe: (r) => `${fmt(r.perSecond)} commands/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms`,
      run: async ({ warmup, beforeLoad }) => {
        const carts = (await seedEmptyCarts(rawPool, { count: s.carts, customers: 200, customerPrefix: 'bench-add-' })).map((c) => c.cartId);
        await beforeLoad();
        return pgCommandLoad(rawPool, ctx.sql, { carts, products: rawProducts, concurrency: s.connections, durationSec: warmup ? s.warmupSec : s.runSec, appendOnly });
      },
    };
  }

  try {
    const runs = await repeatInterleaved({ runs: s.runs, targets, settle: ctx.settle, progress, title, quietWaitSec: s.quietWaitSec });
    const { app: a, crud: c, pg: p, pgAppend: pa, lagFloor: lf } = runs;
    const fig = (key, label, unit, values, better, digits = 0) => section.figures.push({ key, label, unit, values, better, digits });
    fig('app.rate', 'eventshop: commands/s', 'commands/s', a.map((r) => r.perSecond), 'higher');
    fig('app.p50', 'eventshop: p50 latency', 'ms', a.map((r) => r.latency.p50), 'lower', 1);
    fig('app.p99', 'eventshop: p99 latency', 'ms', a.map((r) => r.latency.p99), 'lower', 1);
    fig('crud.rate', 'CRUD baseline: commands/s', 'commands/s', c.map((r) => r.perSecond), 'higher');
    fig('crud.p50', 'CRUD baseline: p50 latency', 'ms', c.map((r) => r.latency.p50), 'lower', 1);
    fig('crud.p99', 'CRUD baseline: p99 latency', 'ms', c.map((r) => r.latency.p99), 'lower', 1);
    fig('pg.rate', 'bare pg (same SQL): commands/s', 'commands/s', p.map((r) => r.perSecond), 'higher');
    fig('pg.p50', 'bare pg: p50 latency', 'ms', p.map((r) => r.latency.p50), 'lower', 1);
    fig('pg.p99', 'bare pg: p99 latency', 'ms', p.map((r) => r.latency.p99), 'lower', 1);
    fig('pgAppend.rate', 'bare pg, append only: commands/s', 'commands/s', pa.map((r) => r.perSecond), 'higher');
    fig('pgAppend.p50', 'bare pg, append only: p50 latency', 'ms', pa.map((r) => r.latency.p50), 'lower', 1);
    fig('pgAppend.p99', 'bare pg, append only: p99 latency', 'ms', pa.map((r) => r.latency.p99), 'lower', 1);
    const cpuFig = (key, label, runs, part) => fig(key, label, 'cores', runs.map((r) => r.cpu[part]), 'lower', 2);
    cpuFig('app.cpu.service', 'eventshop run: CPU of the service (node)', a, 'service');
    cpuFig('app.cpu.pg', 'eventshop run: CPU of PostgreSQL', a, 'postgres');
    cpuFig('app.cpu.bench', 'eventshop run: CPU of the bench process (autocannon, lag probe)', a, 'bench');
    cpuFig('crud.cpu.service', 'CRUD run: CPU of the CRUD service (node)', c, 'service');
    cpuFig('crud.cpu.pg', 'CRUD run: CPU of PostgreSQL', c, 'postgres');
    cpuFig('pg.cpu.pg', 'bare pg run: CPU of PostgreSQL', p, 'postgres');
    cpuFig('pg.cpu.bench', 'bare pg run: CPU of the bench process (pg client)', p, 'bench');
    const perCommand = (key, label, runs, part) => fig(key, label, 'ms', runs.map((r) => (r.cpu[part] / r.perSecond) * 1000), 'lower', 2);
    perCommand('app.cpc.service', 'eventshop: service CPU time per command', a, 'service');
    perCommand('app.cpc.pg', 'eventshop: PostgreSQL CPU time per command', a, 'postgres');
    perCommand('crud.cpc.service', 'CRUD baseline: service CPU time per command', c, 'service');
    perCommand('crud.cpc.pg', 'CRUD baseline: PostgreSQL CPU time per command', c, 'postgres');
    perCommand('pg.cpc.pg', 'bare pg: PostgreSQL CPU time per command', p, 'postgres');
    perCommand('pgAppend.cpc.pg', 'bare pg, append only: PostgreSQL CPU time per command', pa, 'postgres');
    section.ratios.push(
      { label: 'eventshop / CRUD baseline (commands/s)', figure: 'app.rate', baseline: 'crud.rate', target: { op: '>=', value: 1.5 } },
      { label: 'eventshop / bare pg (commands/s)', figure: 'app.rate', baseline: 'pg.rate', target: { op: '>=', value: 0.8 } },
      { label: 'eventshop / bare pg append only (commands/s)', figure: 'app.rate', baseline: 'pgAppend.rate' },
    );

    reportFailures(section, { eventshop: a, 'CRUD baseline': c, 'bare pg': p, 'bare pg, append only': pa });
    section.notes.push(
      `Service pool: DATABASE_POOL_SIZE=${ctx.poolSize} (the default) for eventshop and the CRUD baseline; bare pg uses ${s.connections} connections.`,
      'Runs are interleaved (eventshop, CRUD, pg, pg append only, eventshop, ...); before each, the projections are let to catch up so no run pays for the previous one.',
      "bare pg = the issue's baseline: per command, read the cart's stream, read the product's stream, append one CartItemAdded with the service's own APPEND_SQL (taken from dist/), 50 concurrent clients, no HTTP. bare pg, append only (no target) = the append alone: what eventshop's command issues when its aggregate cache already holds the cart and the product, as it does for nearly every command of this load.",
      'CRUD baseline = bench/baseline-crud: NestJS + Fastify + TypeORM, the same request, HS256 token check and ValidationPipe/DTO, then one Repository.save() of a cart_items row.',
    );

    const lagSection = {
      id: 'projection-lag',
      title: 'Projection lag during the add-item load',
      figures: [],
      ratios: [],
      notes: [],
    };
    if (lagMode.skipped) {
      lagSection.skipped = lagMode.skipped;
    } else {
      lagSection.figures.push(
        { key: 'lag.table50', label: 'event committed -> read model committed (carts_view), p50', unit: 'ms', values: a.map((r) => r.lag.tableP50), better: 'lower', digits: 1 },
        { key: 'lag.table99', label: 'event committed -> read model committed (carts_view), p99', unit: 'ms', values: a.map((r) => r.lag.tableP99), better: 'lower', digits: 1, target: { op: '<=', value: 50, everyRun: true } },
        { key: 'lag.tableMax', label: 'event committed -> read model committed (carts_view), worst sample', unit: 'ms', values: a.map((r) => r.lag.tableMax), better: 'lower', digits: 1 },
        { key: 'lag.p50', label: 'command answer -> visible to a client (GET /carts/:id answered), p50', unit: 'ms', values: a.map((r) => r.lag.p50), better: 'lower', digits: 1 },
        { key: 'lag.p99', label: 'command answer -> visible to a client (GET /carts/:id answered), p99', unit: 'ms', values: a.map((r) => r.lag.p99), better: 'lower', digits: 1, summary: true },
        { key: 'lag.get50', label: 'a plain GET /carts/:id under the same load, p50 (for scale)', unit: 'ms', values: a.map((r) => r.lag.getP50), better: 'lower', digits: 1 },
        { key: 'lag.get99', label: 'a plain GET /carts/:id under the same load, p99', unit: 'ms', values: a.map((r) => r.lag.getP99), better: 'lower', digits: 1 },
        ...loopDelayFigures('load', 'during the load', a),
        ...gcFigures('load', 'during the load', a),
        { key: 'lag.n', label: 'samples per run (read model clock)', unit: '', values: a.map((r) => r.lag.tableSamples), better: 'higher' },
        { key: 'lag.clientN', label: 'samples per run (client clock)', unit: '', values: a.map((r) => r.lag.samples), better: 'higher' },
        { key: 'lag.503', label: 'GETs that waited the service\'s 5 s in vain (503 PROJECTION_LAGGING; asked again)', unit: '', values: a.map((r) => r.lag.gaveUp), better: 'lower' },
        { key: 'lag.backlog', label: 'projection backlog when the load stopped (events, the most-behind projection)', unit: 'events', values: a.map((r) => r.backlog), better: 'lower' },
        { key: 'lag.drain', label: 'time for the projections to catch up after the load stopped', unit: 'ms', values: a.map((r) => r.drainMs), better: 'lower' },
        { key: 'floor.app99', label: 'lag floor runs: eventshop, event committed -> carts_view committed, p99', unit: 'ms', values: lf.map((r) => r.lag.tableP99), better: 'lower', digits: 1 },
        { key: 'floor.p50', label: 'lag floor runs: the same events -> committed in the minimal projector\'s view, p50', unit: 'ms', values: lf.map((r) => r.lag.floorP50), better: 'lower', digits: 1 },
        { key: 'floor.p99', label: 'lag floor runs: the same events -> committed in the minimal projector\'s view, p99', unit: 'ms', values: lf.map((r) => r.lag.floorP99), better: 'lower', digits: 1 },
        { key: 'floor.rate', label: 'lag floor runs: eventshop commands/s', unit: 'commands/s', values: lf.map((r) => r.perSecond), better: 'higher' },
        { key: 'floor.batch', label: 'lag floor runs: events per batch of the minimal projector', unit: 'events', values: lf.map((r) => r.floor.events / Math.max(1, r.floor.batches)), better: 'higher', digits: 1 },
      );
      lagSection.ratios.push({ label: 'lag floor runs: eventshop lag p99 (carts_view) / the floor\'s p99, same commands', figure: 'floor.app99', baseline: 'floor.p99' });
      lagSection.notes.push(
        'Two clocks. **Read model** (the target): from the commit of the command\'s event to the commit of the projection\'s transaction that wrote the cart\'s row at that version, both read from PostgreSQL afterwards (`pg_xact_commit_timestamp` of the two rows\' `xmin`; the bench\'s server runs with `track_commit_timestamp = on`): the projection\'s own delay, on the database server\'s clock, with no client\'s scheduling in it. It starts at the commit, before the command\'s answer, so it also holds the append\'s own WAL flush. (Until this bench the clock was the probe polling `carts_view` every 1 ms from the command\'s answer: under this load a poll that already saw the row could take 70 ms to come back to the probe, with no such query running in PostgreSQL, and at 10 samples a second one such round trip was a run\'s p99.) **Client**: from the command\'s answer, the same write seen through the API, which adds a GET\'s trip through the loaded service (compare the plain GET figures below).',
        lagMode.mode === 'min-position'
          ? 'Measured with the contract\'s read-your-writes: a probe adds an item to one of its own carts, then times GET /carts/:id with `X-Min-Position: <the answer\'s position>` from the command\'s answer to the 200 (so it includes one GET\'s round trip under load).'
          : 'The service did not answer `X-Projection-Position`, so the probe polls GET /carts/:id every 2 ms until the cart shows the command\'s version.',
        "Event-loop delay: how late the service's main thread's timers fire (prom-client's `nodejs_eventloop_lag_*` from `GET /metrics`, reset by a scrape just before the load and read right after it), less the 10 ms interval at which prom-client samples it (an idle loop reads 10 ms there). Garbage collection: the request thread's collections during the load, from the same scrapes (`nodejs_gc_duration_seconds`). The projections run in the projector's worker thread, on an event loop of their own; the command's answer and the GETs go through this one.",
        "Lag floor (the baseline nothing of ours could beat): runs of their own, eventshop under the same load, with a minimal projector following the same log in a worker thread of the bench (bench/lib/lag-floor.mjs): a tight loop on one pipelined connection that reads up to 500 events after its checkpoint below the service's own log horizon (its SQL, from dist/), then upserts one (id, version) row per stream and moves its checkpoint in one transaction, one round trip; no wake-up, it reads again at once after a batch and 1 ms after an empty read. The probe times its view and carts_view for the same events with the same commit-time clock. What it leaves out that eventshop's projection does: carts_view and cart_lines_view rows loaded and written, the other projections (and reactions) on the projector's thread, the wake-up message from the main thread. Its own work weighs on eventshop in these runs, so eventshop's figures of those runs are given next to it, not merged with the main runs.",
        `The probe runs in a worker thread during eventshop's measured runs: every ${LAG_INTERVAL_MS} ms it starts a sample on one of its ${LAG_CARTS} carts that has none in flight (so at most ${1000 / LAG_INTERVAL_MS} commands/s of its own on top of the load); the client clock and the plain GET run on one sample in ${Math.round(100 / LAG_INTERVAL_MS)} (at most 10 of each a second), so that the probe adds little to the load it measures.`,
      );
      const problems = a.flatMap((r) => r.lag.problems);
      if (problems.length) lagSection.notes.push(`Probe errors: ${problems.slice(0, 5).join('; ')}`);
    }

    const memorySection = {
      id: 'memory',
      title: 'Service memory during the add-item load',
      figures: [
        { key: 'rss.peak', label: 'peak RSS (sampled every 100 ms) during each eventshop run', unit: 'MB', values: a.map((r) => r.memory.peakRssMB), better: 'lower', digits: 0, target: { op: '<=', value: 300 } },
        { key: 'rss.hwm', label: 'VmHWM (high-water mark since start)', unit: 'MB', values: a.map((r) => r.memory.highWaterMarkMB), better: 'lower', digits: 0 },
      ],
      ratios: [],
      notes: ['Read from /proc/<pid>/status of the `node dist/main.js` child (VmRSS every 100 ms; VmHWM at the end of each run). MB = 10^6 bytes.'],
    };
    return [section, lagSection, memorySection];
  } finally {
    await crud.stop();
    await rawPool.end();
  }
}

async function createCarts(api, count, authFor) {
  return mapConcurrent(range(count), 25, async (i) => {
    const auth = authFor(i);
    const { id } = await api.expect(201, 'POST', '/carts', { auth, body: {} });
    return { id, auth };
  });
}

/** X-Min-Position if the service honours it (answers X-Projection-Position), polling otherwise; skip without GET /carts/:id. */
async function chooseLagMode(ctx, productId, authFor) {
  const { app } = ctx;
  if (!app.routes.has('get', '/carts/{id}')) return { skipped: 'skipped: route not available (GET /carts/:id)' };
  const [cart] = await createCarts(app.api, 1, authFor);
  const added = await app.api.expect(200, 'POST', `/carts/${cart.id}/items`, { auth: cart.auth, body: { productId, quantity: 1 } });
  const res = await app.api.request('GET', `/carts/${cart.id}`, { auth: cart.auth, headers: { 'x-min-position': added.position } });
  if (res.status === 200 && res.headers.get('x-projection-position') !== null) return { mode: 'min-position' };
  return { mode: 'poll' };
}

/** Starts lag-probe.mjs in a worker thread with `options` (its workerData). */
function startLagProbe(options) {
  const worker = new Worker(new URL('../lib/lag-probe.mjs', import.meta.url), { workerData: { ...options, intervalMs: LAG_INTERVAL_MS } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const { lags, tableLags, floorLags, plainGets, problems, gaveUp } = await done;
      await worker.terminate();
      const lag = percentiles(lags, [50, 99]);
      const table = percentiles(tableLags, [50, 99]);
      const get = percentiles(plainGets, [50, 99]);
      const floor = percentiles(floorLags, [50, 99]);
      return { p50: lag.p50, p99: lag.p99, tableP50: table.p50, tableP99: table.p99, tableMax: tableLags.length ? Math.max(...tableLags) : NaN, floorP50: floor.p50, floorP99: floor.p99, getP50: get.p50, getP99: get.p99, samples: lags.length, tableSamples: tableLags.length, gaveUp, problems };
    },
  };
}

/** Starts the lag floor's projector (lag-floor.mjs) on `databaseUrl`: resolves once it follows the log. */
async function startLagFloor(databaseUrl) {
  const worker = new Worker(new URL('../lib/lag-floor.mjs', import.meta.url), { workerData: { databaseUrl } });
  await once(worker, 'message'); // 'ready' (`once` rejects if the worker fails instead)
  return {
    async stop() {
      worker.postMessage('stop');
      const [counts] = await once(worker, 'message');
      await worker.terminate();
      return counts;
    },
  };
}

/**
 * The add-item command's SQL without the service: read the cart's stream, read the product's stream,
 * append one CartItemAdded at the version read, with the parameters EventStore.append builds. With
 * `appendOnly`, just the append, at the version the previous append left.
 */
async function pgCommandLoad(pool, sql, { carts, products, concurrency, durationSec, appendOnly = false }) {
  const latencies = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const until = started + durationSec * 1000;
  const readParams = (id) => [id, 2147483647, 'infinity'];
  // Append only: the versions the appends left, as a warm aggregate cache would know them.
  const versions = new Map();
  await Promise.all(
    range(concurrency).map(async () => {
      while (performance.now() < until) {
        const i = next++;
        const cartId = carts[i % carts.length];
        const productId = products[(i + Math.floor(i / carts.length)) % products.length];
        const t0 = performance.now();
        let version = versions.get(cartId) ?? 1;
        let actor = 'bench-add';
        if (!appendOnly) {
          const cart = await pool.query(sql.readStream, readParams(cartId));
          const product = await pool.query(sql.readStream, readParams(productId));
          if (product.rows.length === 0) throw new Error('bare pg baseline: product stream is empty');
          version = cart.rows[cart.rows.length - 1].version;
          actor = cart.rows[0].data.customerId;
        }
        const correlationId = randomUUID();
        const appended = await pool.query(sql.append, [
          [randomUUID()],
          [cartId],
          ['cart'],
          [version],
          [1],
          ['CartItemAdded'],
          [1],
          [JSON.stringify({ cartId, productId, quantity: 1 })],
          [JSON.stringify({ correlationId, causationId: correlationId, actor })],
          [0], // one command per statement: the service's group commit is what this baseline lacks
        ]);
        if (appended.rows.length !== 1) failures++;
        else {
          latencies.push(performance.now() - t0);
          versions.set(cartId, version + 1);
        }
      }
    }),
  );
  const durationSecActual = (performance.now() - started) / 1000;
  return {
    ok: latencies.length,
    non2xx: failures,
    perSecond: latencies.length / durationSecActual,
    latency: percentiles(latencies, [50, 90, 99]),
    statuses: {},
    failures: failures ? [`${failures} appends lost an optimistic-concurrency check`] : [],
  };
}

export function reportFailures(section, byTarget) {
  for (const [label, runs] of Object.entries(byTarget)) {
    const bad = runs.filter((r) => r.non2xx || r.errors);
    if (bad.length === 0) continue;
    const statuses = bad.map((r) => JSON.stringify(r.statuses)).join(', ');
    section.notes.push(`${label}: ${bad.map((r) => (r.non2xx ?? 0) + (r.errors ?? 0)).join(' / ')} failed requests in ${bad.length} run(s) (status counts ${statuses}); e.g. ${bad[0].failures.slice(0, 2).join(' | ')}`);
  }
}
