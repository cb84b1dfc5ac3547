/**
 * The projection-lag floor: the least a projection could do to show a command in a read model, run in a
 * worker thread of the bench (as the service's projector runs in one of the service's) on the service's
 * database, following the same log as the service's projections under the same load.
 *
 * One connection, a tight loop: read the log after the checkpoint below the service's own horizon
 * (HORIZON_CTES, imported from dist/ as the bare pg baselines take APPEND_SQL from there: any gap-safe
 * reader must wait for the appends in flight below it, and this one passes over other transactions, such
 * as the projections' own batches), then, pipelined in one round trip, upsert one row per stream
 * (`lag_floor_view`: id, version) and move the checkpoint in one transaction. No framework, no decider,
 * no row loads, no second table, no wake-up message: it reads again at once after a batch and 1 ms after
 * an empty read. So its delay is what the loaded machine itself adds to a read model's lag: the appends
 * in flight that hold the log's horizon back, PostgreSQL's round trips and commits, a thread's turn on
 * the cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { HORIZON_CTES } from '../../dist/event-store/log-horizon.js';

const { databaseUrl } = workerData;
const BATCH = 500;
const client = new pg.Client({ connectionString: databaseUrl, application_name: 'eventshop-bench-lag-floor', pipeline: true });
await client.connect();
await client.query(`
  CREATE TABLE IF NOT EXISTS lag_floor_view (id uuid PRIMARY KEY, version integer NOT NULL);
  CREATE TABLE IF NOT EXISTS lag_floor_checkpoint (one boolean PRIMARY KEY DEFAULT true, transaction_id xid8 NOT NULL, global_position bigint NOT NULL)`);
// Start at the log's end: earlier runs' events are not this run's business.
const start = await client.query(
  `SELECT coalesce(max(transaction_id), '0')::text AS xid, coalesce(max(global_position), 0)::text AS position
     FROM events WHERE transaction_id = (SELECT max(transaction_id) FROM events)`,
);
let checkpoint = { xid: start.rows[0].xid, position: start.rows[0].position };
await client.query(
  `INSERT INTO lag_floor_checkpoint (transaction_id, global_position) VALUES ($1, $2)
   ON CONFLICT (one) DO UPDATE SET transaction_id = excluded.transaction_id, global_position = excluded.global_position`,
  [checkpoint.xid, checkpoint.position],
);

let stopping = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopping = true;
});
parentPort.postMessage('ready');

const READ = {
  name: 'lag-floor-read',
  text: `WITH ${HORIZON_CTES}
         SELECT stream_id, version, transaction_id::text AS xid, global_position::text AS position FROM events
          WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND transaction_id < (SELECT xid FROM horizon)
          ORDER BY transaction_id, global_position LIMIT ${BATCH}`,
};
const UPSERT = {
  name: 'lag-floor-upsert',
  text: `INSERT INTO lag_floor_view (id, version) SELECT * FROM unnest($1::uuid[], $2::int[])
         ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
};
const MOVE = { name: 'lag-floor-move', text: 'UPDATE lag_floor_checkpoint SET transaction_id = $1, global_position = $2' };

let batches = 0;
let events = 0;
while (!stopping) {
  const { rows } = await client.query({ ...READ, values: [checkpoint.xid, checkpoint.position] });
  if (rows.length === 0) {
    await sleep(1);
    continue;
  }
  // One row per stream: its newest version in the batch (ON CONFLICT cannot touch a row twice).
  const versions = new Map();
  for (const row of rows) versions.set(row.stream_id, row.version);
  const last = rows[rows.length - 1];
  await Promise.all([
    client.query('BEGIN'),
    client.query({ ...UPSERT, values: [[...versions.keys()], [...versions.values()]] }),
    client.query({ ...MOVE, values: [last.xid, last.position] }),
    client.query('COMMIT'),
  ]);
  checkpoint = { xid: last.xid, position: last.position };
  batches++;
  events += rows.length;
}
await client.end();
parentPort.postMessage({ batches, events });
