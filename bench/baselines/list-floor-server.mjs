/**
 * The database floor for "GET /orders with filters": bare Fastify answering GET /q/:i with the i-th of the
 * list queries the bench sends the service, as the very SQL the service runs for it (dist/'s
 * orderListQuery, worked out by the bench and handed over in QUERIES_FILE), on the service's own database,
 * prepared under the service's own statement names as the service runs it, the rows as JSON. No auth, no
 * validation, no framework, no mapping: one HTTP request plus the service's own query, with PostgreSQL and
 * the load generator on the same cores.
 *
 * Configured by PORT, DATABASE_URL (the service's database) and QUERIES_FILE (a JSON array of { name, text, values }).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';

if (!process.env.DATABASE_URL || !process.env.QUERIES_FILE) throw new Error('list-floor-server: DATABASE_URL and QUERIES_FILE are required');
const queries = JSON.parse(readFileSync(process.env.QUERIES_FILE, 'utf8'));
// As the service's pool: 20 connections, kept through a lull (DATABASE_POOL_IDLE_TIMEOUT_MS's default).
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 300_000, application_name: 'eventshop-bench-list-floor' });

const app = Fastify({ logger: false });
app.get('/q/:i', async (request, reply) => {
  const query = queries[Number(request.params.i)];
  if (!query) return reply.code(404).send({ code: 'NOT_FOUND' });
  const { rows } = await pool.query({ name: query.name, text: query.text, values: query.values });
  return { items: rows };
});
await app.listen({ port: Number(process.env.PORT ?? 3202), host: '127.0.0.1' });
