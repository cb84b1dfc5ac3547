import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { openPool } from '../lib/postgres.mjs';
import { sampleMemory } from '../lib/service-process.mjs';
import { skipProjectionsToHead, waitForProjections } from '../lib/projections-wait.mjs';
import { fmt, repeatInterleaved } from '../lib/repeat.mjs';
import { seedCartLog } from '../lib/seed-sql.mjs';

const sum = (values) => values.reduce((a, b) => a + b, 0);

const PROJECTION = 'carts';
const BASELINE_BATCH = 5_000;
/** The projector thread's young generation of the second eventshop target (PROJECTOR_YOUNG_GENERATION_MB; the default is 24). */
const LARGER_YOUNG_GENERATION_MB = 96;

/**
 * Rebuilding the carts projection from a log of `settings.rebuildEvents` cart events, on a service and
 * database of its own, against the same work done by hand through bare pg in batches.
 */
export async function rebuildScenario(ctx) {
  const { settings: s, progress } = ctx;
  const title = 'rebuild';
  // For a closer look while working on the rebuild: REBUILD_EVENTS sizes the log, REBUILD_CPU_PROF=<dir> profiles the service.
  const rebuildEvents = Number(process.env.REBUILD_EVENTS) || s.rebuildEvents;
  const profileArgs = process.env.REBUILD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.REBUILD_CPU_PROF}`] : undefined;
  const section = {
    id: 'rebuild',
    title: `Rebuild a projection (${PROJECTION}) from ${fmt(rebuildEvents)} events`,
    figures: [],
    ratios: [],
    notes: [],
  };

  const url = await ctx.pg.createDatabase('eventshop_rebuild', { migrate: true });
  const pool = openPool(url, 4);
  let app;
  let larger;
  try {
    // A first start creates the projections' checkpoints (and tells whether the routes exist).
    app = await ctx.startService('eventshop-rebuild', url);
    if (!app.routes.has('post', '/admin/projections/{name}/rebuild') || !app.routes.has('get', '/admin/projections')) {
      return [{ ...section, skipped: 'skipped: route not available (POST /admin/projections/:name/rebuild, GET /admin/projections)' }];
    }
    await app.stop();

    progress.status(`seeding ${fmt(rebuildEvents)} cart events`);
    const seedStarted = performance.now();
    await seedCartLog(pool, { events: rebuildEvents, onChunk: (n) => progress.status(`seeding cart events: ${fmt(n)} / ${fmt(rebuildEvents)}`) });
    // As autovacuum leaves a log this size long before anyone rebuilds over it: without it, the first
    // replay (whichever of the two it is) sets every row's hint bits, which with data checksums on
    // (initdb's default since PostgreSQL 18) writes each page of the log to the WAL once more.
    await pool.query('VACUUM (ANALYZE) events');
    const events = Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    // The live projections would otherwise first replay the whole log (minutes); the rebuild replays it anyway.
    const skipped = await skipProjectionsToHead(pool);
    progress.step(`seeded ${fmt(events)} cart events in ${fmt((performance.now() - seedStarted) / 1000, 1)} s`);
    app = await ctx.startService('eventshop-rebuild', url, profileArgs);
    // A second instance on the same database, the same but for the projector thread's young generation;
    // idle while the other rebuilds (only one instance rebuilds a projection at a time).
    larger = await ctx.startService('eventshop-rebuild-young', url, undefined, { PROJECTOR_YOUNG_GENERATION_MB: String(LARGER_YOUNG_GENERATION_MB) });
    const settle = () => waitForProjections(app, { timeoutMs: 1_800_000, onWait: (behind) => progress.status(`projections catching up: ${behind}`) });

    await pool.query(`CREATE TABLE bench_carts_view (LIKE carts_view INCLUDING ALL)`);
    await pool.query(`CREATE TABLE bench_cart_lines_view (LIKE cart_lines_view INCLUDING ALL)`);

    const appSeconds = [];
    const largerSeconds = [];
    const withinBudget = (seconds) => seconds.length === 0 || sum(seconds) + Math.max(...seconds) <= s.rebuildBudgetSec;
    /** A rebuild over one instance's route: no warm-up (the first rebuild is as warm as any); further runs only while they fit the budget. */
    function rebuildTarget({ key, label, service, seconds }) {
      return {
        key,
        label,
        servicePid: service.service.pid,
        describe: (r) => `${fmt(r.perSecond)} events/s (${fmt(r.seconds, 1)} s), peak RSS ${fmt(r.peakRssMB)} MB`,
        skip: ({ warmup }) => warmup || !withinBudget(seconds),
        run: async ({ beforeLoad }) => {
          await beforeLoad();
          const memory = sampleMemory(service.service.pid);
          const result = await rebuildOverHttp(service, events, (text) => progress.status(`rebuild (${key}): ${text}`));
          seconds.push(result.seconds);
          return { ...result, peakRssMB: memory.stop().peakRssMB };
        },
      };
    }
    const runs = await repeatInterleaved({
      runs: s.runs,
      title,
      progress,
      settle,
      quietWaitSec: s.quietWaitSec,
      targets: [
        rebuildTarget({ key: 'app', label: `POST /admin/projections/${PROJECTION}/rebuild`, service: app, seconds: appSeconds }),
        {
          key: 'pg',
          label: 'bare pg, batched',
          describe: (r) => `${fmt(r.perSecond)} events/s (${fmt(r.seconds, 1)} s)`,
          run: async ({ beforeLoad }) => {
            await pool.query('TRUNCATE bench_carts_view, bench_cart_lines_view');
            await beforeLoad();
            return rebuildByHand(pool);
          },
        },
        rebuildTarget({ key: 'larger', label: `the same, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB}`, service: larger, seconds: largerSeconds }),
      ],
    });
    section.figures.push(
      { key: 'app.rate', label: 'eventshop rebuild: events/s', unit: 'events/s', values: runs.app.map((r) => r.perSecond), better: 'higher', target: { op: '>=', value: 60_000 } },
      { key: 'app.sec', label: 'eventshop rebuild: seconds', unit: 's', values: runs.app.map((r) => r.seconds), better: 'lower', digits: 1 },
      { key: 'app.rss', label: 'eventshop rebuild: peak RSS of the service (sampled every 100 ms)', unit: 'MB', values: runs.app.map((r) => r.peakRssMB), better: 'lower' },
      { key: 'larger.rate', label: `eventshop rebuild, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB}: events/s`, unit: 'events/s', values: runs.larger.map((r) => r.perSecond), better: 'higher' },
      { key: 'larger.rss', label: `eventshop rebuild, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB}: peak RSS of the service`, unit: 'MB', values: runs.larger.map((r) => r.peakRssMB), better: 'lower' },
      { key: 'pg.rate', label: 'bare pg batched: events/s', unit: 'events/s', values: runs.pg.map((r) => r.perSecond), better: 'higher' },
      { key: 'pg.sec', label: 'bare pg batched: seconds', unit: 's', values: runs.pg.map((r) => r.seconds), better: 'lower', digits: 1 },
    );
    section.ratios.push(
      { label: 'eventshop rebuild / bare pg (events/s)', figure: 'app.rate', baseline: 'pg.rate', target: { op: '>=', value: 0.5 } },
      { label: `eventshop rebuild, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB} / bare pg (events/s)`, figure: 'larger.rate', baseline: 'pg.rate' },
      { label: `eventshop rebuild, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB} / the default 24 (events/s)`, figure: 'larger.rate', baseline: 'app.rate' },
    );
    const mismatch = runs.pg.find((r) => r.carts !== runs.pg[0].carts || r.lines !== runs.pg[0].lines);
    section.notes.push(
      `The log: ${fmt(events)} events written straight into the events table (${fmt(Math.ceil(events / 5))} carts of one CartCreated and 4 CartItemAdded, in transactions of 100,000 events); no other event types. It is vacuumed once written, as autovacuum would have done.`,
      `eventshop: time from POST /admin/projections/${PROJECTION}/rebuild to GET /admin/projections (polled every 250 ms) showing ${PROJECTION} running again with lag 0; events/s = events in the log / that time.`,
      `The same, PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB}: a second instance of the service on the same database, started with the projector thread's young generation at ${LARGER_YOUNG_GENERATION_MB} MB instead of the default 24, rebuilding through its own route (the instances are idle while the other rebuilds). The verdict is the default's: a larger young generation costs memory all the time, not only during a rebuild (see README, PROJECTOR_YOUNG_GENERATION_MB). Peak RSS is the rebuilding instance's, during its rebuild.`,
      `bare pg: reads the log in batches of ${fmt(BASELINE_BATCH)} in the same (transaction_id, global_position) order and, per batch in one transaction, inserts the carts, upserts the lines (quantities summed per cart and product), moves the carts' versions and writes a checkpoint row, into copies of carts_view and cart_lines_view. It ends with the same ${fmt(runs.pg[0]?.carts ?? 0)} carts and ${fmt(runs.pg[0]?.lines ?? 0)} lines${mismatch ? ' (but the runs disagreed on the counts!)' : ''}.`,
      skipped
        ? "The log was written while the service was stopped, and the projections' checkpoints then moved to its end, so the service started with nothing to catch up: the rebuild is the only replay measured."
        : 'The live projections caught up with the seeded log before the first rebuild.',
    );
    for (const [key, name] of [['app', "eventshop's rebuild"], ['larger', `the rebuild with PROJECTOR_YOUNG_GENERATION_MB=${LARGER_YOUNG_GENERATION_MB}`]]) {
      if (runs[key].length >= s.runs) continue;
      section.notes.push(
        `${name} ran ${runs[key].length} time(s), not ${s.runs}, and without a warm-up: another run would have taken its runs past their budget of ${fmt(s.rebuildBudgetSec)} s (\`rebuildBudgetSec\` in bench/run.mjs), so its spread is not known.`,
      );
    }
    return [section];
  } finally {
    await larger?.stop();
    await app?.stop();
    await pool.end();
  }
}

async function rebuildOverHttp(app, events, onStatus) {
  const t0 = performance.now();
  const accepted = await app.api.request('POST', `/admin/projections/${PROJECTION}/rebuild`, { auth: app.adminAuth });
  if (accepted.status !== 202) throw new Error(`POST /admin/projections/${PROJECTION}/rebuild answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  for (;;) {
    await sleep(250);
    const res = await app.api.request('GET', '/admin/projections', { auth: app.adminAuth });
    if (res.status !== 200) throw new Error(`GET /admin/projections answered ${res.status}`);
    const status = res.body.find((p) => p.name === PROJECTION);
    if (!status) throw new Error(`GET /admin/projections does not list ${PROJECTION}`);
    if (status.status === 'failed') throw new Error(`rebuild failed: ${status.lastError}`);
    const seconds = (performance.now() - t0) / 1000;
    onStatus(`${status.status}, lag ${status.lag}, ${fmt(seconds, 0)} s`);
    if (status.status === 'running' && Number(status.lag) === 0 && !status.lastError) {
      return { seconds, perSecond: events / seconds };
    }
    if (seconds > 1800) throw new Error('rebuild did not finish within 30 minutes');
  }
}

/** The carts projection's work for CartCreated and CartItemAdded, done in batches with set-based SQL. */
async function rebuildByHand(pool) {
  const t0 = performance.now();
  let after = { transactionId: '0', position: '0' };
  let processed = 0;
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_checkpoint (name text PRIMARY KEY, transaction_id xid8, position bigint)`);
  for (;;) {
    const { rows } = await pool.query(
      `SELECT global_position, stream_id, version, type, data, occurred_at, transaction_id FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id, global_position
       LIMIT $3`,
      [after.transactionId, after.position, BASELINE_BATCH],
    );
    if (rows.length === 0) break;
    const created = { id: [], customer: [], version: [], at: [] };
    const lines = new Map();
    const heads = new Map();
    for (const e of rows) {
      if (e.type === 'CartCreated') {
        created.id.push(e.stream_id);
        created.customer.push(e.data.customerId);
        created.version.push(e.version);
        created.at.push(e.occurred_at);
      } else if (e.type === 'CartItemAdded') {
        const key = `${e.stream_id}|${e.data.productId}`;
        const line = lines.get(key);
        if (line) line.quantity += e.data.quantity;
        else lines.set(key, { cart: e.stream_id, product: e.data.productId, quantity: e.data.quantity, lineNo: e.version });
        heads.set(e.stream_id, { version: e.version, at: e.occurred_at });
      }
    }
    const last = rows[rows.length - 1];
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bench_carts_view (id, customer_id, status, version, updated_at)
         SELECT id, customer, 'open', version, at FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[]) AS t(id, customer, version, at)
         ON CONFLICT (id) DO NOTHING`,
        [created.id, created.customer, created.version, created.at],
      );
      const l = [...lines.values()];
      await client.query(
        `INSERT INTO bench_cart_lines_view AS line (cart_id, product_id, quantity, line_no)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[])
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = line.quantity + EXCLUDED.quantity`,
        [l.map((x) => x.cart), l.map((x) => x.product), l.map((x) => x.quantity), l.map((x) => x.lineNo)],
      );
      const h = [...heads.entries()];
      await client.query(
        `UPDATE bench_carts_view c SET version = t.version, updated_at = t.at
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS t(id, version, at)
         WHERE c.id = t.id AND c.version < t.version`,
        [h.map(([id]) => id), h.map(([, x]) => x.version), h.map(([, x]) => x.at)],
      );
      await client.query(
        `INSERT INTO bench_checkpoint VALUES ('carts', $1, $2) ON CONFLICT (name) DO UPDATE SET transaction_id = $1, position = $2`,
        [last.transaction_id, last.global_position],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    processed += rows.length;
    after = { transactionId: last.transaction_id, position: last.global_position };
  }
  const seconds = (performance.now() - t0) / 1000;
  const counts = (await pool.query('SELECT (SELECT count(*) FROM bench_carts_view) AS carts, (SELECT count(*) FROM bench_cart_lines_view) AS lines')).rows[0];
  return { seconds, perSecond: processed / seconds, carts: Number(counts.carts), lines: Number(counts.lines) };
}
