/* global fetch */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL, URLSearchParams } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent } from '../lib/api-client.mjs';
import { httpLoad, openLoopLoad } from '../lib/http-load.mjs';
import { openPool } from '../lib/postgres.mjs';
import { fmt, range, repeatInterleaved } from '../lib/repeat.mjs';
import { seedCarts, seedOrderSummaries } from '../lib/seed-sql.mjs';
import { startNodeServer } from '../lib/service-process.mjs';
import { gcFigures, loopDelayFigures, runtimeDuring, scrapeRuntime } from '../lib/service-runtime.mjs';
import { median } from '../lib/stats.mjs';
import { reportFailures } from './add-item.mjs';
import { SHIPPING_ADDRESS } from './checkout.mjs';

const LIST_CUSTOMER_PREFIX = 'bench-lc-';
/** Connections for the open-loop runs: far more than a fixed rate needs in flight, so none waits for one (peak in flight is reported). */
const OPEN_LOOP_SOCKETS = 100;

/**
 * GET /orders/:id (the orders the checkout scenario placed; against a CRUD baseline and a bare-HTTP floor),
 * then GET /orders with filters over `settings.orders` orders.
 */
export async function orderReadScenarios(ctx) {
  return [...(await getOrderById(ctx)), ...(await listOrders(ctx))];
}

const connectionVariants = (s) => [
  { key: 'c50', label: `${s.connections} connections`, connections: s.connections },
  ...(s.singleConnection ? [{ key: 'c1', label: '1 connection', connections: 1 }] : []),
];

async function getOrderById(ctx) {
  const { settings: s, app, progress, tokens } = ctx;
  const section = { id: 'get-order', title: `GET an order by id (${s.connections} connections)`, figures: [], ratios: [], notes: [] };
  if (!app.routes.has('get', '/orders/{id}')) return [{ ...section, skipped: 'skipped: route not available (GET /orders/:id)' }];

  let orders = await placedOrders(app.pool, 1000);
  // The checkout scenario did not run: place a few hundred orders through the API.
  if (orders.length < 100) orders = await placeOrders(ctx, app, 500);
  await ctx.settle();
  const probe = await app.api.request('GET', `/orders/${orders[0].id}`, { auth: tokens(orders[0].customerId) });
  if (probe.status !== 200) throw new Error(`GET /orders/:id answered ${probe.status}: ${JSON.stringify(probe.body).slice(0, 300)}`);
  section.notes.push(
    `${fmt(orders.length)} orders placed by the checkout scenario (3 lines each), each read by its owner with the owner's token, in rotation.`,
    probe.headers.get('x-projection-position') !== null
      ? 'The route answered `X-Projection-Position`: it reads the order read model.'
      : 'The route did not answer `X-Projection-Position`: it rebuilds the order from its event stream.',
  );

  // The two baselines answer the very same requests (same paths, same owners' tokens, same rotation).
  const eventshopBody = JSON.stringify(probe.body);
  const { server: crud, url: crudUrl } = await startCrudOrders(ctx, orders);
  let floor;
  let dbFloor;
  let dbFloorBatched;
  try {
    const startDbFloor = (batch) =>
      startNodeServer({
        name: batch ? 'batched db floor server' : 'db floor server',
        script: path.join(ctx.root, 'bench/baselines/db-floor-server.mjs'),
        cwd: ctx.root,
        env: { NODE_ENV: 'production', DATABASE_URL: crudUrl, BATCH: batch ? '1' : '0' },
        logFile: path.join(ctx.logDir, batch ? 'db-floor-batched-server.log' : 'db-floor-server.log'),
        readyPath: `/orders/${orders[0].id}`,
      });
    dbFloor = await startDbFloor(false);
    dbFloorBatched = await startDbFloor(true);
    floor = await startNodeServer({
      name: 'floor server',
      script: path.join(ctx.root, 'bench/baselines/floor-server.mjs'),
      cwd: ctx.root,
      env: { NODE_ENV: 'production', ORDER_BODY: eventshopBody },
      logFile: path.join(ctx.logDir, 'floor-server.log'),
      readyPath: `/orders/${orders[0].id}`,
    });
    const crudProbe = await fetchText(`${crud.baseUrl}/orders/${orders[0].id}`, tokens(orders[0].customerId));
    if (crudProbe.status !== 200) throw new Error(`CRUD baseline GET /orders/:id answered ${crudProbe.status}: ${crudProbe.text.slice(0, 300)}`);
    const stranger = await fetchText(`${crud.baseUrl}/orders/${orders[0].id}`, tokens('bench-get-stranger'));
    if (stranger.status !== 404) throw new Error(`CRUD baseline GET /orders/:id answered ${stranger.status} to a customer who does not own the order (expected 404)`);

    const variants = connectionVariants(s).map((v) => ({ ...v, servicePid: app.service.pid }));
    const baselines = [
      { key: 'crud', label: `CRUD baseline, ${s.connections} connections`, connections: s.connections, baseUrl: crud.baseUrl, servicePid: crud.pid },
      { key: 'floor', label: `floor (bare Fastify), ${s.connections} connections`, connections: s.connections, baseUrl: floor.baseUrl, servicePid: floor.pid },
      { key: 'dbFloor', label: `database floor (bare Fastify + one pg read), ${s.connections} connections`, connections: s.connections, baseUrl: dbFloor.baseUrl, servicePid: dbFloor.pid },
      { key: 'dbFloorBatched', label: `batched database floor (bare Fastify + pg reads shared by concurrent requests), ${s.connections} connections`, connections: s.connections, baseUrl: dbFloorBatched.baseUrl, servicePid: dbFloorBatched.pid },
    ];
    let n = 0;
    const next = () => {
      const order = orders[n++ % orders.length];
      return { method: 'GET', path: `/orders/${order.id}`, headers: { authorization: tokens(order.customerId) } };
    };
    // Open loop at a fixed rate: eventshop, then the two floors at the same rate (what this machine allows).
    const fixedRate = [
      { key: 'rate', label: `eventshop at ${fmt(s.getRate)} req/s (open loop)`, rate: s.getRate, servicePid: app.service.pid },
      { key: 'dbFloorRate', label: `database floor at ${fmt(s.getRate)} req/s (open loop)`, rate: s.getRate, baseUrl: dbFloor.baseUrl, servicePid: dbFloor.pid },
      { key: 'floorRate', label: `floor at ${fmt(s.getRate)} req/s (open loop)`, rate: s.getRate, baseUrl: floor.baseUrl, servicePid: floor.pid },
    ];
    // eventshop, CRUD, floor and database floor at 50 connections back to back (then eventshop at 1), then the fixed-rate runs, run after run.
    const targets = [variants[0], ...baselines, ...variants.slice(1), ...fixedRate];
    const runs = await measureReads({ s, ctx, progress, app, title: 'GET order by id', variants: targets, next });
    addReadFigures(section, variants, runs);
    addBaselineFigures(section, baselines, runs);
    addOpenLoopFigures(section, fixedRate, runs, 5);
    addCpuFigures(section, [
      { key: 'c50', label: `eventshop run (${s.connections} connections)`, server: 'the service (node)' },
      { key: 'crud', label: 'CRUD baseline run', server: 'the CRUD service (node)' },
      { key: 'floor', label: 'floor run', server: 'the floor server (node)', noPostgres: true },
      { key: 'dbFloor', label: 'database floor run', server: 'the database floor server (node)' },
      { key: 'dbFloorBatched', label: 'batched database floor run', server: 'the batched database floor server (node)' },
    ], runs);
    section.ratios.push(
      { label: 'eventshop / CRUD baseline (req/s)', figure: 'c50.rate', baseline: 'crud.rate' },
      { label: 'eventshop / floor (req/s)', figure: 'c50.rate', baseline: 'floor.rate' },
      { label: 'eventshop / database floor (req/s)', figure: 'c50.rate', baseline: 'dbFloor.rate', target: { op: '>=', value: 0.7 } },
      { label: 'eventshop / batched database floor (req/s)', figure: 'c50.rate', baseline: 'dbFloorBatched.rate' },
    );
    const bytes = (text) => fmt(Buffer.byteLength(text));
    section.notes.push(
      `CRUD baseline = bench/baseline-crud's GET /orders/:id: NestJS + Fastify + TypeORM with the same HS256 token guard and a ParseUUIDPipe, one \`Repository.findOneBy({ id })\` on an \`orders\` table (id, customer_id, status, total_cents, lines jsonb, placed_at) in a database of its own on the same PostgreSQL, 404 unless the token's subject owns the order. It holds a copy of the same ${fmt(orders.length)} orders (ids, owners, 3 lines, totals, placedAt) and gets the very same requests. Its answer is the row as it is (${bytes(crudProbe.text)} bytes; eventshop's, with currency, item count, shipping address and version, ${bytes(eventshopBody)} bytes).`,
      `Floor = bench/baselines/floor-server.mjs: bare Fastify in a node process of its own answering every GET /orders/:id with one constant string, eventshop's own answer for one order (${bytes(eventshopBody)} bytes): no auth, no validation, no database, no serialization. It is what HTTP alone costs at ${s.connections} connections with autocannon on the same cores: no service on this machine answers this load faster. In its runs autocannon (single-threaded, in the bench process) used ${fmt(median(runs.floor.map((r) => r.cpu.bench)), 2)} cores, so this floor is the limit of the load generator and HTTP together, not of Fastify alone.`,
      `Database floor = bench/baselines/db-floor-server.mjs: bare Fastify in a node process of its own, answering each GET /orders/:id with one prepared primary-key read of the CRUD baseline's \`orders\` table through pg (20 connections), the row as JSON. No auth, no validation, no framework: one HTTP request plus one PostgreSQL round trip, with PostgreSQL and autocannon on the same cores. Any GET that reads PostgreSQL with a statement of its own costs at least this much here. eventshop's does not: concurrent GETs by id share statements (ReadModelDb.lookup), so under this load it can go faster than this floor; at 1 connection it cannot.`,
      `Batched database floor = the same server with BATCH=1: concurrent requests share their reads as eventshop's do (dataloader, no cache, up to 100 ids in one prepared \`= ANY($1)\` read, sent once the event loop's round of I/O is done). Bare Fastify and the least PostgreSQL work per request with sharing: what nothing of ours could beat with it.`,
      closedLoopNote(s.connections, [
        ['eventshop', runs.c50],
        ['CRUD baseline', runs.crud],
        ['floor', runs.floor],
        ['database floor', runs.dbFloor],
        ['batched database floor', runs.dbFloorBatched],
      ]),
    );
  } finally {
    await floor?.stop();
    await dbFloor?.stop();
    await dbFloorBatched?.stop();
    await crud.stop();
  }
  return [section];
}

/**
 * The CRUD baseline (bench/baseline-crud) on a database of its own, holding a copy of `orders` as one row
 * each: eventshop's ids, owners, lines (with their line totals, as eventshop answers them), totals and
 * placedAt, taken from their OrderPlaced events. Nothing in the bench pays, ships or cancels them, so
 * all are `placed`.
 */
async function startCrudOrders(ctx, orders) {
  const { server, url } = await ctx.startCrudBaseline('CRUD baseline (orders)', 'bench_crud_orders');
  const pool = openPool(url, 2);
  try {
    // `synchronize: true` created the table before the server started listening.
    const { rows } = await ctx.app.pool.query(`SELECT stream_id AS id, data FROM events WHERE type = 'OrderPlaced' AND stream_id = ANY($1::uuid[])`, [orders.map((o) => o.id)]);
    const copy = rows.map(({ id, data }) => ({
      id,
      customer_id: data.customerId,
      status: 'placed',
      total_cents: data.totalCents,
      lines: data.lines.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents })),
      placed_at: data.placedAt,
    }));
    await pool.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, lines, placed_at)
       SELECT id, customer_id, status, total_cents, lines, placed_at
       FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, customer_id text, status text, total_cents integer, lines jsonb, placed_at timestamptz)`,
      [JSON.stringify(copy)],
    );
    await pool.query('ANALYZE orders');
    if (copy.length !== orders.length) throw new Error(`CRUD baseline: copied ${copy.length} of ${orders.length} orders`);
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await pool.end();
  }
  return { server, url };
}

/** One request with a bearer token, the answer's status and body as text (its size goes into the notes). */
async function fetchText(url, authorization) {
  const res = await fetch(url, { headers: { authorization } });
  return { status: res.status, text: await res.text() };
}

function addBaselineFigures(section, baselines, runs) {
  for (const b of baselines) {
    const r = runs[b.key];
    section.figures.push(
      { key: `${b.key}.rate`, label: `${b.label}: requests/s`, unit: 'req/s', values: r.map((x) => x.perSecond), better: 'higher' },
      { key: `${b.key}.p50`, label: `${b.label}: p50 latency`, unit: 'ms', values: r.map((x) => x.latency.p50), better: 'lower', digits: 2 },
      // In the summary next to eventshop's: whether p99 <= 10 ms is reachable at all at this load.
      { key: `${b.key}.p99`, label: `${b.label}: p99 latency`, unit: 'ms', values: r.map((x) => x.latency.p99), better: 'lower', digits: 2, summary: true },
    );
  }
  reportFailures(section, Object.fromEntries(baselines.map((b) => [b.label, runs[b.key]])));
}

/** Where the 2 cores went in each run: the server answering, PostgreSQL, and autocannon in the bench process. */
function addCpuFigures(section, targets, runs) {
  for (const t of targets) {
    const fig = (part, what) =>
      section.figures.push({ key: `${t.key}.cpu.${part}`, label: `${t.label}: CPU of ${what}`, unit: 'cores', values: runs[t.key].map((r) => r.cpu[part]), better: 'lower', digits: 2 });
    fig('service', t.server);
    if (!t.noPostgres) fig('postgres', 'PostgreSQL');
    fig('bench', 'the bench process (autocannon)');
  }
}

/** Little's law made concrete: in a closed loop the mean latency is connections / throughput. */
function closedLoopNote(connections, targets) {
  const each = targets.map(([label, runs]) => {
    const rate = median(runs.map((r) => r.perSecond));
    return `${label} ${connections} / ${fmt(rate)} req/s = ${fmt((connections / rate) * 1000, 2)} ms (measured p50 ${fmt(median(runs.map((r) => r.latency.p50)), 2)} ms)`;
  });
  return `Closed loop: each of the ${connections} connections sends its next request as soon as its answer arrives, so latency is set by throughput: the mean is connections / throughput, and p50 is close to it. Here: ${each.join('; ')}. A p99 of 10 ms at ${connections} connections therefore takes roughly ${fmt(connections / 0.01)} req/s or more.`;
}

async function listOrders(ctx) {
  const { settings: s, app, progress } = ctx;
  const section = {
    id: 'list-orders',
    title: `GET /orders list with filters (${fmt(s.orders)} orders, ${s.connections} connections)`,
    figures: [],
    ratios: [],
    notes: [],
  };
  if (!app.routes.has('get', '/orders')) return [{ ...section, skipped: 'skipped: route not available (GET /orders)' }];

  const { rows } = await app.pool.query(`SELECT to_regclass('order_summaries') IS NOT NULL AS present`);
  if (!rows[0].present) return [{ ...section, skipped: 'skipped: no order_summaries read-model table to seed' }];
  const queries = await seedListOrders(ctx, app);
  const variants = connectionVariants(s);
  const next = listRequests(queries);
  const listFloor = await startListFloor(ctx, queries);
  try {
    let f = 0;
    const floorNext = () => ({ method: 'GET', path: `/q/${f++ % queries.length}` });
    const fixedRate = [
      { key: 'rate', label: `eventshop at ${fmt(s.listRate)} req/s (open loop)`, rate: s.listRate, servicePid: app.service.pid },
      { key: 'dbFloorRate', label: `database floor at ${fmt(s.listRate)} req/s (open loop)`, rate: s.listRate, baseUrl: listFloor.baseUrl, servicePid: listFloor.pid, next: floorNext },
    ];
    const runs = await measureReads({ s, ctx, progress, app, title: 'GET /orders list', variants: [...variants, ...fixedRate], next });
    addReadFigures(section, variants, runs);
    addOpenLoopFigures(section, fixedRate, runs, 15);
    section.ratios.push({ label: 'eventshop / database floor at the same rate (p99 latency)', figure: 'rate.p99', baseline: 'dbFloorRate.p99' });
  } finally {
    await listFloor.stop();
  }
  section.tables = [await latencyByKind(app, queries)];
  section.notes.push(
    `The read model was seeded **directly** with ${fmt(s.orders)} rows (not through events and the projection): ${fmt(s.orderCustomers)} customers, one order every 31 s going back from now, statuses 20% placed / 20% paid / 20% shipped / 30% delivered / 10% cancelled; then VACUUM (ANALYZE), as autovacuum would have long before in a service whose orders came in over a year (its insert threshold would otherwise start it during the measured runs).`,
    `Database floor = bench/baselines/list-floor-server.mjs: bare Fastify in a node process of its own, answering request i with the very SQL the service runs for the i-th of these queries (dist/'s orderListQuery, given the filter each request carries: the token's subject for a customer's own list, then status, range, limit and cursor), prepared by name (one statement per combination of filters) as the service runs it, on the service's own database through pg (20 connections), the rows as JSON. No auth, no validation, no framework, no mapping of rows: these list queries, over HTTP, on this machine, under the same open-loop schedule. Nothing of ours could answer them sooner.`,
    `The requests rotate through ${queries.length} prepared queries: a customer's own list (no filter, by status, by a 60-day placedAt range), an admin's list by status, by a one-day range, by status within a 30-day range, by customerId + status, and second pages (nextCursor of a first page). Default limit (20) except the admin status list (limit 50).`,
  );
  return [section];
}

/**
 * `settings.orders` rows seeded straight into app's order_summaries, then the list's query mix over them
 * (listQueries): the list scenario's and the profile's load.
 */
export async function seedListOrders(ctx, app) {
  const { settings: s, progress } = ctx;
  progress.status(`seeding ${fmt(s.orders)} rows into order_summaries`);
  const seededAt = Date.now();
  await seedOrderSummaries(app.pool, {
    count: s.orders,
    customers: s.orderCustomers,
    customerPrefix: LIST_CUSTOMER_PREFIX,
    onChunk: (done) => progress.status(`seeding order_summaries: ${fmt(done)} / ${fmt(s.orders)}`),
  });
  progress.step(`seeded ${fmt(s.orders)} orders into order_summaries in ${fmt((Date.now() - seededAt) / 1000, 1)} s`);
  return listQueries(ctx, app, { seededAt, spanMs: s.orders * 31_000 });
}

/** The requests of `queries` (listQueries) in turn, without the fields only the bench reads (kind, customerId). */
export function listRequests(queries) {
  let n = 0;
  return () => {
    const { kind: _kind, customerId: _customerId, ...request } = queries[n++ % queries.length];
    return request;
  };
}

/**
 * The list's database floor (bench/baselines/list-floor-server.mjs), given the SQL the service runs for
 * each of `queries`: dist/'s orderListQuery on the filter the request carries.
 */
async function startListFloor(ctx, queries) {
  const { orderListQuery } = await import(pathToFileURL(path.join(ctx.root, 'dist/modules/orders/order-queries.js')).href);
  const sql = queries.map((q) => {
    const params = new URLSearchParams(q.path.split('?')[1] ?? '');
    return orderListQuery({
      customerId: q.customerId ?? params.get('customerId') ?? undefined,
      status: params.get('status') ?? undefined,
      from: params.get('from') ?? undefined,
      to: params.get('to') ?? undefined,
      limit: Number(params.get('limit') ?? 20),
      cursor: params.get('cursor') ?? undefined,
    });
  });
  const queriesFile = path.join(ctx.logDir, 'list-floor-queries.json');
  writeFileSync(queriesFile, JSON.stringify(sql));
  return startNodeServer({
    name: 'list database floor server',
    script: path.join(ctx.root, 'bench/baselines/list-floor-server.mjs'),
    cwd: ctx.root,
    env: { NODE_ENV: 'production', DATABASE_URL: ctx.app.databaseUrl, QUERIES_FILE: queriesFile },
    logFile: path.join(ctx.logDir, 'list-floor-server.log'),
    readyPath: '/q/0',
  });
}

/** Prepared GET /orders requests; each is tried once, and a page-2 request is added for some. */
async function listQueries(ctx, app, { seededAt, spanMs }) {
  const { settings: s, tokens } = ctx;
  let seed = 42;
  const random = () => {
    // mulberry32: reproducible query mix from run to run
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const customer = () => `${LIST_CUSTOMER_PREFIX}${Math.floor(random() * s.orderCustomers)}`;
  const day = 86_400_000;
  const at = (msAgo) => new Date(seededAt - msAgo).toISOString();
  const window = (lengthMs) => {
    const end = random() * Math.max(0, spanMs - lengthMs);
    return `from=${encodeURIComponent(at(end + lengthMs))}&to=${encodeURIComponent(at(end))}`;
  };
  const statuses = ['placed', 'paid', 'shipped', 'delivered', 'cancelled'];
  const status = () => statuses[Math.floor(random() * statuses.length)];
  const admin = app.adminAuth;
  // A customer's list is always of their own orders: the service takes the customerId from the token.
  const own = (customerId) => ({ auth: tokens(customerId), customerId });
  const templates = [
    () => ({ kind: 'customer: own list', ...own(customer()), path: '/orders' }),
    () => ({ kind: 'customer: by status', ...own(customer()), path: `/orders?status=${status()}` }),
    () => ({ kind: 'customer: 60-day range', ...own(customer()), path: `/orders?${window(60 * day)}` }),
    () => ({ kind: 'admin: by status, limit 50', auth: admin, path: `/orders?status=${status()}&limit=50` }),
    () => ({ kind: 'admin: one-day range', auth: admin, path: `/orders?${window(day)}` }),
    () => ({ kind: 'admin: status + 30-day range', auth: admin, path: `/orders?status=${status()}&${window(30 * day)}` }),
    () => ({ kind: 'admin: customerId + status', auth: admin, path: `/orders?customerId=${customer()}&status=${status()}` }),
  ];
  const first = range(140).map((i) => templates[i % templates.length]());
  const answers = await mapConcurrent(first, 10, async (q) => ({ q, res: await app.api.request('GET', q.path, { auth: q.auth }) }));
  const requests = [];
  for (const { q, res } of answers) {
    if (res.status !== 200) throw new Error(`GET ${q.path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    requests.push(q);
    if (res.body.nextCursor && requests.length % 3 === 0) {
      const sep = q.path.includes('?') ? '&' : '?';
      requests.push({ ...q, kind: `${q.kind}, page 2`, path: `${q.path}${sep}cursor=${encodeURIComponent(res.body.nextCursor)}` });
    }
  }
  return requests.map((q) => ({ kind: q.kind, customerId: q.customerId, method: 'GET', path: q.path, headers: { authorization: q.auth } }));
}

/** Each kind of query on its own, one request at a time on the idle service: which filters cost what. */
async function latencyByKind(app, queries) {
  const kinds = [...new Set(queries.map((q) => q.kind.replace(/, page 2$/, '')))];
  const rows = [];
  for (const kind of [...kinds, ...kinds.map((k) => `${k}, page 2`)]) {
    const ofKind = queries.filter((q) => q.kind === kind);
    if (ofKind.length === 0) continue;
    const times = [];
    for (let i = 0; i < 30; i++) {
      const q = ofKind[i % ofKind.length];
      const t0 = performance.now();
      const res = await app.api.request('GET', q.path, { auth: q.headers.authorization });
      if (res.status === 200) times.push(performance.now() - t0);
    }
    rows.push([kind, fmt(median(times), 2), fmt(Math.max(...times), 2)]);
  }
  return {
    title: 'Each kind of query alone (30 requests, one at a time, after the runs; whole HTTP round trip)',
    header: ['query', 'median ms', 'max ms'],
    rows,
  };
}

function addReadFigures(section, variants, runs) {
  for (const v of variants) {
    const r = runs[v.key];
    const judged = v.key === 'c50';
    section.figures.push(
      { key: `${v.key}.rate`, label: `${v.label}: requests/s`, unit: 'req/s', values: r.map((x) => x.perSecond), better: 'higher', summary: judged },
      { key: `${v.key}.p50`, label: `${v.label}: p50 latency`, unit: 'ms', values: r.map((x) => x.latency.p50), better: 'lower', digits: 2 },
      {
        key: `${v.key}.p99`,
        label: `${v.label}: p99 latency`,
        unit: 'ms',
        values: r.map((x) => x.latency.p99),
        better: 'lower',
        digits: 2,
        // Closed loop, p99 is set by throughput (Little's law): reported; the latency targets are the open-loop runs'.
        summary: true,
      },
    );
  }
  reportFailures(section, Object.fromEntries(variants.map((v) => [v.label, runs[v.key]])));
  if (variants.length > 1) {
    section.notes.push(
      `With ${variants[0].connections} connections in a closed loop, latency is mostly queueing: p50 is about ${variants[0].connections} / throughput. The 1-connection runs show what one request costs on an otherwise idle service.`,
    );
  }
}

/** `count` orders placed through the API (3-line carts written into the log, then checked out by their owners). */
export async function placeOrders(ctx, app, count) {
  const products = (
    await mapConcurrent(range(30), 10, (i) =>
      setupCall(app, 201, 'POST', '/products', { auth: app.adminAuth, body: { sku: `BENCH-GET-${i}`, name: `Get product ${i}`, priceCents: 700, stock: 1_000_000 } }),
    )
  ).map((r) => r.id);
  const carts = await seedCarts(app.pool, { count, customers: 50, customerPrefix: 'bench-get-', productIds: products, lines: 3 });
  await mapConcurrent(carts, 10, (c) => setupCall(app, 201, 'POST', `/carts/${c.cartId}/checkout`, { auth: ctx.tokens(c.customerId), body: { shippingAddress: SHIPPING_ADDRESS } }));
  return placedOrders(app.pool, count);
}

/**
 * A setup request (not measured), tried again on 503 UNAVAILABLE: on a crowded machine the service's
 * pool can fail to get a connection within its 1.5 s bound while it starts, and that is no reason to lose the run.
 */
async function setupCall(app, expected, method, path, options) {
  for (let attempt = 1; ; attempt++) {
    const res = await app.api.request(method, path, options);
    if (res.status === expected) return res.body;
    if (res.status !== 503 || attempt === 5) throw new Error(`${method} ${path} answered ${res.status} (expected ${expected}): ${JSON.stringify(res.body).slice(0, 500)}`);
    await sleep(500 * attempt);
  }
}

async function placedOrders(pool, limit) {
  const { rows } = await pool.query(
    `SELECT stream_id AS id, data->>'customerId' AS customer_id FROM events WHERE type = 'OrderPlaced' ORDER BY global_position DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, customerId: r.customer_id }));
}

/**
 * Each variant (connection count) of one read route, interleaved and repeated like every scenario. A
 * variant with a `baseUrl` is a baseline server answering the same requests; `servicePid` names the
 * process whose CPU counts as the server's.
 */
function measureReads({ s, ctx, progress, app, title, variants, next }) {
  return repeatInterleaved({
    runs: s.runs,
    title,
    progress,
    settle: ctx.settle,
    quietWaitSec: s.quietWaitSec,
    targets: variants.map((v) => ({
      key: v.key,
      label: v.label,
      describe: (r) => `${fmt(r.perSecond)} req/s, p50 ${fmt(r.latency.p50, 2)} ms, p99 ${fmt(r.latency.p99, 2)} ms`,
      servicePid: v.servicePid,
      run: async ({ warmup, beforeLoad }) => {
        await beforeLoad();
        const load = { baseUrl: v.baseUrl ?? app.baseUrl, durationSec: warmup ? s.warmupSec : s.runSec, next: v.next ?? next };
        if (!v.rate) return httpLoad({ ...load, connections: v.connections });
        // eventshop's open-loop runs: what its request thread went through meanwhile (its own /metrics).
        const before = v.baseUrl ? null : await scrapeRuntime(app);
        const result = await openLoopLoad({ ...load, rate: v.rate, maxSockets: OPEN_LOOP_SOCKETS });
        if (before) result.runtime = runtimeDuring(before, await scrapeRuntime(app));
        return result;
      },
    })),
  });
}

/**
 * Open-loop runs: latency measured from each request's scheduled time (see openLoopLoad), the rate the
 * server sustained, the peak number of requests in flight, and how late the generator itself sent them.
 */
function addOpenLoopFigures(section, targets, runs, p99Target) {
  for (const t of targets) {
    const r = runs[t.key];
    const judged = t.key === 'rate';
    section.figures.push(
      { key: `${t.key}.rate`, label: `${t.label}: achieved requests/s`, unit: 'req/s', values: r.map((x) => x.perSecond), better: 'higher', summary: judged },
      { key: `${t.key}.p50`, label: `${t.label}: p50 latency`, unit: 'ms', values: r.map((x) => x.latency.p50), better: 'lower', digits: 2, summary: judged },
      {
        key: `${t.key}.p99`,
        label: `${t.label}: p99 latency`,
        unit: 'ms',
        values: r.map((x) => x.latency.p99),
        better: 'lower',
        digits: 2,
        ...(judged ? { target: { op: '<=', value: p99Target } } : { summary: true }),
      },
      { key: `${t.key}.inFlight`, label: `${t.label}: peak requests in flight (of ${OPEN_LOOP_SOCKETS} connections)`, unit: '', values: r.map((x) => x.peakInFlight), better: 'lower' },
      { key: `${t.key}.sendLag`, label: `${t.label}: p99 lateness of the generator's sends (part of the latency)`, unit: 'ms', values: r.map((x) => x.sendLag.p99), better: 'lower', digits: 2 },
    );
    if (r.every((x) => x.runtime)) section.figures.push(...loopDelayFigures(t.key, t.label, r), ...gcFigures(t.key, t.label, r));
  }
  reportFailures(section, Object.fromEntries(targets.map((t) => [t.label, runs[t.key]])));
  if (targets.some((t) => runs[t.key].every((x) => x.runtime))) {
    section.notes.push(
      "Request thread during eventshop's open-loop runs, from the service's own `GET /metrics` (prom-client's default metrics), scraped just before the load and right after it: the event-loop delay (how late the thread's timers fired, less prom-client's 10 ms sampling interval; the scrape before resets it) and the garbage collector's time on that thread by kind; and, from the kernel (`/proc/<pid>/task/<pid>/schedstat`), the share of the run the thread was on a core and the share it was runnable but waiting for one, a wait that falls mostly between the event loop's 10 ms samples. A request that arrives during a pause waits it out, so a p99 well above the floors' with pauses of that size points at the thread, not at PostgreSQL or the network. The projector's worker thread, with a heap of its own, is not in these figures.",
    );
  }
  section.notes.push(
    `Open loop (${targets.map((t) => t.label).join('; ')}): bench/lib/http-load.mjs's openLoopLoad sends request i at start + i / rate, whatever the earlier answers are doing, over up to ${OPEN_LOOP_SOCKETS} keep-alive connections, and times each answer from its *scheduled* time, so a stall (the server's, a wait for a free connection, or the generator's own event loop being late) counts in full: no coordinated omission. Not autocannon's \`overallRate\`: it gives each connection a quota per second that it spends back-to-back as soon as the second starts, a burst per second rather than a rate, timed from when each connection got free. "Achieved" is answers per second from the first scheduled request to the last answer; a peak in flight below ${OPEN_LOOP_SOCKETS} means no request waited for a connection. The floors at the same rate show what this machine allows any server: on a shared machine their p99 is mostly the generator's and the server's event loops waiting for a core.`,
  );
}
