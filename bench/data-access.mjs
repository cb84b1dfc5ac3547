/**
 * node bench/data-access.mjs [--rounds 5] [--seconds 2] [--products 20000] [--out bench/DATA-ACCESS.md]
 *
 * Which way should a read model's queries reach PostgreSQL? The same two reads as `GET /products/:id`
 * (a primary-key lookup) and `GET /products?q=` (a trigram search, a page of 20 by SKU), each answered
 * as the API's DTO, through:
 *   typeorm-repository  TypeORM's Repository.findOneBy and query builder on an entity (the catalog's way),
 *   datasource-query    DataSource.query(sql, values), rows mapped by hand (the carts' and reports' way),
 *   pg-pool             pool.query(sql, values) on the pg pool under that DataSource (the orders' way),
 *   pg-prepared         the same with a named statement (parsed and planned once per connection),
 *   read-model-db       the service's ReadModelDb (src/database/read-model-db.ts) as the queries now use it:
 *                       pg-prepared for the point read, pg-pool for the search.
 * All four share one pool, so only the access code differs. Each round measures every style (the order
 * rotates between rounds, so that drift hits all alike) at 1 query in flight (latency) and at 10
 * (throughput), and the CPU the bench process (the would-be service) spent per query. The figures are
 * the median of the rounds. Needs `npm run build` (it uses the service's embedded PostgreSQL and
 * migrations from dist/).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureServiceBuilt } from './lib/build.mjs';
import { cleanup } from './lib/cleanup.mjs';
import { cpuMeter } from './lib/cpu-usage.mjs';
import { startBenchPostgres } from './lib/postgres.mjs';
import { median } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    products: { type: 'string', default: '20000' },
    out: { type: 'string', default: path.join(root, 'bench/DATA-ACCESS.md') },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const PRODUCTS = Number(args.products);
const POOL_SIZE = 10;
const log = (message) => console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);

const ADJECTIVES = ['red', 'blue', 'green', 'large', 'small', 'steel', 'wooden', 'glass', 'soft', 'heavy'];
const NOUNS = ['mug', 'lamp', 'chair', 'widget', 'kettle', 'table', 'shelf', 'bottle', 'towel', 'clock'];
const SEARCH = 'widget'; // a tenth of the products

const COLUMNS = 'id, sku, name, description, price_cents, stock_on_hand, reserved, version';
const FIND_SQL = `SELECT ${COLUMNS} FROM products_view WHERE id = $1`;
const SEARCH_SQL = `SELECT ${COLUMNS} FROM products_view WHERE (name ILIKE $1 OR sku ILIKE $1) ORDER BY sku, id LIMIT $2`;

/** The API's ProductDto, from a row as pg hands it over (bigints as strings). */
const fromRow = (row) => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  priceCents: row.price_cents,
  currency: 'USD',
  stockOnHand: Number(row.stock_on_hand),
  stockAvailable: Number(row.stock_on_hand) - Number(row.reserved),
  version: row.version,
});

/** The same, from TypeORM's entity (its transformer already made the bigints numbers). */
const fromEntity = (e) => ({
  id: e.id,
  sku: e.sku,
  name: e.name,
  description: e.description,
  priceCents: e.priceCents,
  currency: 'USD',
  stockOnHand: e.stockOnHand,
  stockAvailable: e.stockOnHand - e.reserved,
  version: e.version,
});

function styles(dataSource, pool, db) {
  const repo = dataSource.getRepository('ProductView');
  const page = (rows) => ({ items: rows.slice(0, 20).map(fromRow), more: rows.length > 20 });
  return {
    'typeorm-repository': {
      find: async (id) => {
        const row = await repo.findOneBy({ id });
        return row && fromEntity(row);
      },
      search: async (q) => {
        const rows = await repo
          .createQueryBuilder('p')
          .where('(p.name ILIKE :pattern OR p.sku ILIKE :pattern)', { pattern: `%${q}%` })
          .orderBy('p.sku', 'ASC')
          .addOrderBy('p.id', 'ASC')
          .limit(21)
          .getMany();
        return { items: rows.slice(0, 20).map(fromEntity), more: rows.length > 20 };
      },
    },
    'datasource-query': {
      find: async (id) => (await dataSource.query(FIND_SQL, [id])).map(fromRow)[0] ?? null,
      search: async (q) => page(await dataSource.query(SEARCH_SQL, [`%${q}%`, 21])),
    },
    'pg-pool': {
      find: async (id) => (await pool.query(FIND_SQL, [id])).rows.map(fromRow)[0] ?? null,
      search: async (q) => page((await pool.query(SEARCH_SQL, [`%${q}%`, 21])).rows),
    },
    'pg-prepared': {
      find: async (id) => (await pool.query({ name: 'bench.find', text: FIND_SQL, values: [id] })).rows.map(fromRow)[0] ?? null,
      search: async (q) => page((await pool.query({ name: 'bench.search', text: SEARCH_SQL, values: [`%${q}%`, 21] })).rows),
    },
    'read-model-db': {
      find: async (id) => {
        const row = await db.one({ name: 'bench.db-find', text: FIND_SQL }, [id]);
        return row && fromRow(row);
      },
      search: async (q) => page(await db.query(SEARCH_SQL, [`%${q}%`, 21])),
    },
  };
}

/** Runs `op` from `inFlight` loops for SECONDS: queries/s, mean latency and the bench process's CPU per query. */
async function measure(op, inFlight) {
  const meter = cpuMeter();
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await op(done);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = meter.stop();
  return { qps: done / seconds, latencyUs: (seconds * 1e6 * inFlight) / done, cpuUs: (cpu.bench * seconds * 1e6) / done, others: cpu.others };
}

ensureServiceBuilt(root, log);
const { DataSource, EntitySchema } = await import('typeorm');
const dist = (file) => import(pathToFileURL(path.join(root, 'dist', file)).href);
/** What the catalog's entity did with its bigint columns. */
const bigintAsNumber = { from: (value) => (value === null ? null : Number(value)), to: (value) => value };
const { ReadModelDb } = await dist('database/read-model-db.js');
try {
  const postgres = await startBenchPostgres(root, { log });
  const url = await postgres.createDatabase('data_access', { migrate: true });
  const ProductView = new EntitySchema({
    name: 'ProductView',
    tableName: 'products_view',
    columns: {
      id: { type: 'uuid', primary: true },
      sku: { type: 'text' },
      name: { type: 'text' },
      description: { type: 'text' },
      priceCents: { type: 'integer', name: 'price_cents' },
      stockOnHand: { type: 'bigint', name: 'stock_on_hand', transformer: bigintAsNumber },
      reserved: { type: 'bigint', transformer: bigintAsNumber },
      version: { type: 'integer' },
      updatedAt: { type: 'timestamptz', name: 'updated_at' },
    },
  });
  const dataSource = new DataSource({ type: 'postgres', url, entities: [ProductView], poolSize: POOL_SIZE, logging: false });
  await dataSource.initialize();
  const pool = dataSource.driver.master;
  await pool.query(
    `INSERT INTO products_view (id, sku, name, description, price_cents, stock_on_hand, reserved, version, updated_at)
     SELECT gen_random_uuid(), 'SKU-' || lpad(n::text, 6, '0'), initcap(($2::text[])[1 + n % 10] || ' ' || ($3::text[])[1 + (n / 10) % 10]) || ' ' || n,
            'A product for the data access bench', 100 + n % 5000, 100, n % 7, 1 + n % 3, now()
     FROM generate_series(1, $1) AS n`,
    [PRODUCTS, ADJECTIVES, NOUNS],
  );
  await pool.query('ANALYZE products_view');
  const ids = (await pool.query('SELECT id FROM products_view ORDER BY random() LIMIT 1000')).rows.map((row) => row.id);

  const all = styles(dataSource, pool, new ReadModelDb(pool));
  const names = Object.keys(all);
  // Same answers through every style, or the comparison means nothing.
  for (const name of names) {
    const expected = JSON.stringify([await all[names[0]].find(ids[0]), await all[names[0]].search(SEARCH)]);
    if (JSON.stringify([await all[name].find(ids[0]), await all[name].search(SEARCH)]) !== expected) throw new Error(`${name} answers differently`);
  }
  const kinds = {
    'point read (GET /products/:id)': (style) => (i) => style.find(ids[i % ids.length]),
    'page query (GET /products?q=)': (style) => () => style.search(SEARCH),
  };
  const results = {};
  const loadBefore = os.loadavg();
  for (let round = 0; round <= ROUNDS; round++) {
    // Round 0 warms up (JIT, prepared statements, the pool's connections, PostgreSQL's caches).
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const [kind, make] of Object.entries(kinds)) {
      for (const name of order) {
        for (const inFlight of [1, POOL_SIZE]) {
          const figure = await measure(make(all[name]), inFlight);
          if (round === 0) continue;
          ((results[kind] ??= {})[name] ??= { 1: [], [POOL_SIZE]: [] })[inFlight].push(figure);
        }
      }
    }
    log(round === 0 ? 'warmed up' : `round ${round} of ${ROUNDS} done (load average ${os.loadavg()[0].toFixed(2)})`);
  }
  const loadAfter = os.loadavg();
  await dataSource.destroy();
  await postgres.stop();

  const med = (runs, key) => median(runs.map((run) => run[key]));
  const lines = [
    '# Read-model data access: TypeORM, DataSource.query, pg',
    '',
    `\`node bench/data-access.mjs\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, PostgreSQL ${postgres.version} (embedded, same machine).`,
    `${PRODUCTS.toLocaleString('en')} products in products_view; pool of ${POOL_SIZE} connections shared by every style; ${ROUNDS} rounds of ${SECONDS} s per figure after a warm-up round; medians of the rounds.`,
    `Load average (1/5/15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    '"CPU/query" is the CPU the Node process (what the service would spend) used per query; "others" is the CPU other processes on the machine used meanwhile, in cores.',
    '',
  ];
  for (const [kind, byStyle] of Object.entries(results)) {
    lines.push(`## ${kind}`, '', `| style | 1 in flight: latency µs | CPU/query µs | ${POOL_SIZE} in flight: queries/s | CPU/query µs | others (cores) |`, '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, runs] of Object.entries(byStyle)) {
      const one = runs[1];
      const many = runs[POOL_SIZE];
      lines.push(
        `| ${name} | ${med(one, 'latencyUs').toFixed(0)} | ${med(one, 'cpuUs').toFixed(0)} | ${med(many, 'qps').toFixed(0)} | ${med(many, 'cpuUs').toFixed(0)} | ${med([...one, ...many], 'others').toFixed(2)} |`,
      );
    }
    lines.push('');
  }
  writeFileSync(args.out, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
} finally {
  await cleanup();
}
