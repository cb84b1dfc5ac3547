/**
 * The database floor for "GET an order by id": bare Fastify answering GET /orders/:id with one indexed
 * read through pg (a prepared statement on the CRUD baseline's `orders` table, by primary key), the row as
 * JSON, 404 if there is none. No auth, no validation, no framework: what one HTTP request plus one
 * PostgreSQL round trip costs at the same connection count, with autocannon and PostgreSQL on the same
 * cores. Every read-model GET with a statement of its own does at least this much.
 *
 * With BATCH=1, the batched database floor: concurrent requests share statements as the service's
 * ReadModelDb.lookup has them share (dataloader, no cache, up to 100 ids in one `= ANY($1)` read, sent
 * once the event loop's round of I/O is done). The least one PostgreSQL read for several requests costs.
 *
 * Configured by PORT, DATABASE_URL and BATCH.
 */
import { setImmediate } from 'node:timers';
import DataLoader from 'dataloader';
import Fastify from 'fastify';
import pg from 'pg';

if (!process.env.DATABASE_URL) throw new Error('db-floor-server: DATABASE_URL is required');
// Idle connections kept as long as the service keeps its own (DATABASE_POOL_IDLE_TIMEOUT_MS): a floor must
// not pay for reconnecting where the service does not.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 300_000, application_name: 'eventshop-bench-db-floor' });

const COLUMNS = 'id, customer_id, status, total_cents, lines, placed_at';
const byIds = new DataLoader(
  async (ids) => {
    const { rows } = await pool.query({ name: 'orders-by-ids', text: `SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[])`, values: [ids] });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  },
  { cache: false, maxBatchSize: 100, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
);
const readOne = process.env.BATCH === '1'
  ? (id) => byIds.load(id)
  : async (id) => (await pool.query({ name: 'order-by-id', text: `SELECT ${COLUMNS} FROM orders WHERE id = $1`, values: [id] })).rows[0] ?? null;

const app = Fastify({ logger: false });
app.get('/orders/:id', async (request, reply) => {
  const row = await readOne(request.params.id);
  if (row === null) return reply.code(404).send({ code: 'NOT_FOUND' });
  return row;
});
await app.listen({ port: Number(process.env.PORT ?? 3201), host: '127.0.0.1' });
