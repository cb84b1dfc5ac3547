import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';

const METRICS_TOKEN = 'metrics-token-that-must-stay-secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The service's logs, as an operator's log collector receives them, while requests carry credentials. */
describe('request logs', () => {
  const lines: string[] = [];
  let app: NestFastifyApplication;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  const token = (sub: string, roles = ['customer']) => jwt.sign({ sub, roles }, { algorithm: 'HS256', expiresIn: '1h' });
  const http = () => request(app.getHttpServer());
  const logs = () => lines.join('');

  beforeAll(async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: await createTestDatabase(),
      JWT_SECRET: TEST_JWT_SECRET,
      METRICS_TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
    });
    app = await createApp(config, { logDestination: { write: (line: string) => void lines.push(line) } });
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app?.close());
  beforeEach(() => void lines.splice(0));

  it('never holds a bearer token, from a header, a query string or a path', async () => {
    const alice = token('alice');
    const admin = token('ops', ['admin']);
    const forged = jwt.sign({ sub: 'mallory', roles: ['admin'] }, { algorithm: 'HS256', secret: 'another-secret-entirely-0000' });
    await http().post('/carts').set('Authorization', `Bearer ${alice}`).send({}).expect(201);
    await http().get('/products').set('Authorization', `Bearer ${forged}`).expect(401);
    await http().get(`/products?token=${admin}&access_token=${admin}&api_key=k-${METRICS_TOKEN}&limit=5`);
    await http().get(`/products?q=${encodeURIComponent(TEST_JWT_SECRET)}&note=${admin}`);
    await http().get(`/carts/${alice}`).set('Authorization', `Bearer ${alice}`);
    await http().get(`/no-such-route/${admin}?jwt=${admin}`);
    await http().get(`//products?access_token=${alice}`).set('Authorization', `Bearer ${alice}`);
    await http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    await http().get(`/metrics/?token=${METRICS_TOKEN}`);
    await http().get(`/admin/projections?secret=${METRICS_TOKEN}`).set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(401);

    const text = logs();
    // The requests were logged, with their URLs' harmless parts...
    expect(text).toContain('/products?token=[redacted]&access_token=[redacted]&api_key=[redacted]&limit=5');
    expect(text).toContain('/no-such-route/[redacted]');
    // ...and no credential, nor any part of one (a JWT's signature is its last segment).
    for (const secret of [alice, admin, forged, METRICS_TOKEN, TEST_JWT_SECRET, encodeURIComponent(TEST_JWT_SECRET)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.split('.').at(-1));
    }
    expect(text).not.toMatch(/authorization/i);
  });

  it("logs each request with its id, answers it as X-Request-Id and records it as the events' correlation id", async () => {
    const res = await http().post('/carts').set('Authorization', `Bearer ${token('alice')}`).send({}).expect(201);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(UUID);
    const [event] = await app.get(EventStore).readStream(res.body.id);
    expect(event.metadata.correlationId).toBe(requestId);
    const logged = lines.map((line) => JSON.parse(line) as { req?: { id?: string; url?: string } });
    expect(logged).toContainEqual(expect.objectContaining({ req: expect.objectContaining({ id: requestId, url: '/carts' }) }));
  });

  it("keeps a client's plain X-Request-Id, and replaces any other with its own", async () => {
    const plain = 'client-req_1.2';
    const kept = await http().post('/carts').set('Authorization', `Bearer ${token('alice')}`).set('X-Request-Id', plain).send({}).expect(201);
    expect(kept.headers['x-request-id']).toBe(plain);
    expect((await app.get(EventStore).readStream(kept.body.id))[0].metadata.correlationId).toBe(plain);

    for (const bad of ['x'.repeat(65), 'has spaces', 'quote"d', 'tab\there', '{"forged":true}', 'ünïcode']) {
      const res = await http().post('/carts').set('Authorization', `Bearer ${token('alice')}`).set('X-Request-Id', bad).send({}).expect(201);
      const id = res.headers['x-request-id'];
      expect(id).toMatch(UUID);
      expect((await app.get(EventStore).readStream(res.body.id))[0].metadata.correlationId).toBe(id);
      expect(logs()).toContain(`"id":"${id}"`);
      expect(logs()).not.toContain(bad);
    }
  });
});
