/* global fetch */
/**
 * Projection-lag probe, run in a worker thread next to the add-item load so that the load generator's
 * event loop does not delay its clock. Every `intervalMs` it starts a sample on one of its carts that
 * has none in flight: add an item, then time how long after the command's answer the read model shows
 * it, two ways at once:
 * - in the read-model table itself: from the commit of the command's event to the commit of the
 *   projection's transaction that wrote the cart's row at the command's version, both by the database
 *   server's clock (pg_xact_commit_timestamp of the two rows' xmin; the bench's server runs with
 *   track_commit_timestamp). No HTTP and no client in it: the projection's own delay. The probe polls
 *   `carts_view.version` every TABLE_POLL_MS only to know when to look;
 * - to a client, over HTTP. `min-position`: GET /carts/:id with `X-Min-Position: <position>` (the
 *   contract's read-your-writes), asked again after a 503 (the service's 5 s wait ran out) until it
 *   answers 200; `poll`: GETs every 2 ms until the cart's version reaches the command's (if the header is
 *   not honoured). This includes one GET's round trip through the loaded service.
 * After each sample it also times a plain GET of the now-visible cart: what any read costs under this load.
 *
 * With `floorTable` (the lag floor's view, lag-floor.mjs), the table clock also times that table for the
 * same command, from the same commit.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

const { baseUrl, databaseUrl, carts, productId, mode, intervalMs, floorTable } = workerData;
/** How often the table clock looks whether the row is there; the commit times, not this, time the sample. */
const TABLE_POLL_MS = 5;
/**
 * The client clock and the plain GET run on every CLIENT_EVERY-th sample only, 10 a second: each is a
 * request through the service under test, and the probe should add as little as it can to the load it
 * measures. The table clock costs the service nothing but the sample's command.
 */
const CLIENT_EVERY = Math.max(1, Math.round(100 / intervalMs));
// A few connections: samples overlap when the lag is longer than the interval.
const db = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'eventshop-bench-lag' });
let stopping = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

const lags = [];
const tableLags = [];
const floorLags = [];
const plainGets = [];
const problems = [];
/** How many times a GET with X-Min-Position answered 503 (not visible within the service's 5 s). */
let gaveUp = 0;

async function call(method, path, auth, body, headers = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: auth, ...(body && { 'content-type': 'application/json' }), ...headers },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function sample(cart, withClient) {
  const command = await call('POST', `/carts/${cart.id}/items`, cart.auth, { productId, quantity: 1 });
  const answered = performance.now();
  if (command.status !== 200) throw new Error(`add item answered ${command.status}`);
  const { position, version } = command.body;
  const inTable = visibleInTable('carts_view', cart.id, version, answered);
  const inFloor = floorTable && visibleInTable(floorTable, cart.id, version, answered);
  if (!withClient) {
    tableLags.push(await inTable);
    if (inFloor) floorLags.push(await inFloor);
    return;
  }
  if (mode === 'min-position') {
    for (;;) {
      const read = await call('GET', `/carts/${cart.id}`, cart.auth, undefined, { 'x-min-position': position });
      // 503 PROJECTION_LAGGING: the service waited its 5 s in vain. Ask again, so the sample still
      // measures when the write became visible instead of being dropped (which would flatter p99).
      if (read.status === 503 && performance.now() - answered < 60_000) {
        gaveUp++;
        continue;
      }
      if (read.status !== 200) throw new Error(`GET with X-Min-Position answered ${read.status}`);
      if (read.body.version < version) throw new Error(`X-Min-Position answered version ${read.body.version} < ${version}`);
      break;
    }
  } else {
    for (;;) {
      const read = await call('GET', `/carts/${cart.id}`, cart.auth);
      if (read.status === 200 && read.body.version >= version) break;
      if (performance.now() - answered > 10_000) throw new Error('not visible after 10 s');
      await sleep(2);
    }
  }
  lags.push(performance.now() - answered);
  tableLags.push(await inTable);
  if (inFloor) floorLags.push(await inFloor);
  const t0 = performance.now();
  const plain = await call('GET', `/carts/${cart.id}`, cart.auth);
  if (plain.status === 200) plainGets.push(performance.now() - t0);
}

/**
 * Milliseconds from the commit of the cart's event at `version` to the commit that put that version in
 * its row of `table`, by the database server's clock. The poll only tells when to look. It used to be the
 * clock too, timed on this thread from the command's answer: under the add-item load a poll that already
 * saw the row could take 70 ms to come back (no such query was running in PostgreSQL), and with 10 samples
 * a second one such round trip was a run's p99. From the event's commit, not the answer (which comes
 * after it), so nothing is left out.
 */
async function visibleInTable(table, cartId, version, answered) {
  for (;;) {
    const { rows } = await db.query(
      `SELECT v.version, (extract(epoch FROM pg_xact_commit_timestamp(v.xmin)) - extract(epoch FROM pg_xact_commit_timestamp(e.xmin))) * 1000 AS lag_ms
       FROM ${table} v LEFT JOIN events e ON e.stream_id = v.id AND e.version = $2 WHERE v.id = $1`,
      [cartId, version],
    );
    if (rows.length && rows[0].version >= version) {
      if (rows[0].version > version || rows[0].lag_ms === null) throw new Error(`no commit times for ${table} at version ${version}`);
      return Number(rows[0].lag_ms);
    }
    if (performance.now() - answered > 60_000) throw new Error(`not visible in ${table} after 60 s`);
    await sleep(TABLE_POLL_MS);
  }
}

const busy = new Set();
const inFlight = new Set();
let i = 0;
let started = 0;
while (!stopping) {
  const cart = carts[i++ % carts.length];
  if (!busy.has(cart.id)) {
    busy.add(cart.id);
    const task = sample(cart, started++ % CLIENT_EVERY === 0)
      .catch((error) => {
        if (problems.length < 5) problems.push(String(error instanceof Error ? error.message : error));
      })
      .finally(() => {
        busy.delete(cart.id);
        inFlight.delete(task);
      });
    inFlight.add(task);
  }
  await sleep(intervalMs);
}
await Promise.all(inFlight);
await db.end();
parentPort.postMessage({ lags, tableLags, floorLags, plainGets, problems, gaveUp });
