/**
 * The database floor for "GET an order by id": bare Fastify answering GET /orders/:id with one indexed
 * read through pg (a prepared statement on the CRUD baseline's `orders` table, by primary key), the row as
 * JSON, 404 if there is none. No auth, no validation, no framework: what one HTTP request plus one
 * PostgreSQL round trip costs at the same connection count, with autocannon and PostgreSQL on the same
 * cores. Every read-model GET does at least this much.
 *
 * Configured by PORT and DATABASE_URL.
 */
import Fastify from 'fastify';
import pg from 'pg';

if (!process.env.DATABASE_URL) throw new Error('db-floor-server: DATABASE_URL is required');
// Idle connections kept as long as the service keeps its own (DATABASE_POOL_IDLE_TIMEOUT_MS): a floor must
// not pay for reconnecting where the service does not.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 300_000, application_name: 'eventshop-bench-db-floor' });

const app = Fastify({ logger: false });
app.get('/orders/:id', async (request, reply) => {
  const { rows } = await pool.query({
    name: 'order-by-id',
    text: 'SELECT id, customer_id, status, total_cents, lines, placed_at FROM orders WHERE id = $1',
    values: [request.params.id],
  });
  if (rows.length === 0) return reply.code(404).send({ code: 'NOT_FOUND' });
  return rows[0];
});
await app.listen({ port: Number(process.env.PORT ?? 3201), host: '127.0.0.1' });
