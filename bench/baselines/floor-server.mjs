/**
 * The floor for "GET an order by id": bare Fastify answering GET /orders/:id with a constant JSON body
 * (ORDER_BODY, which the bench sets to eventshop's own answer for one order, so the bytes on the wire are
 * the same). No auth, no validation, no database, no serialization: what HTTP alone costs at the same
 * connection count, with autocannon on the same cores. Run as a child process like the services, so that
 * it does not share an event loop with the load generator.
 *
 * Configured by PORT and ORDER_BODY.
 */
import Fastify from 'fastify';

const body = process.env.ORDER_BODY;
if (!body) throw new Error('floor-server: ORDER_BODY (the JSON to answer) is required');

const app = Fastify({ logger: false });
// A string with a JSON content type goes out as it is: Fastify does not serialize it again.
app.get('/orders/:id', (_request, reply) => {
  reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: Number(process.env.PORT ?? 3200), host: '127.0.0.1' });
