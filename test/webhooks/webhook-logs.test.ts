import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { TEST_JWT_SECRET, testToken } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { startReceiver, type Receiver } from './receiver.js';

/** The service's logs, at their most talkative, while endpoints are created, fail and get disabled. */
describe('webhook logs', () => {
  const lines: string[] = [];
  let app: NestFastifyApplication;
  let receiver: Receiver;
  const admin = testToken('ops', ['admin']);

  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 500 }));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: await createTestDatabase(),
      JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'trace',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '1',
      WEBHOOK_RETRY_MAX_MS: '2',
    });
    app = await createApp(config, { logDestination: { write: (line: string) => void lines.push(line) } });
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('never holds a webhook secret', async () => {
    const http = () => request(app.getHttpServer());
    const created = await http().post('/admin/webhooks').set('Authorization', admin).send({ url: receiver.url, eventTypes: ['*'] }).expect(201);
    const { id, secret } = created.body as { id: string; secret: string };
    await http().get(`/admin/webhooks/${id}?secret=${encodeURIComponent(secret)}`).set('Authorization', admin);
    await http().post('/products').set('Authorization', admin).send({ sku: 'LOG-1', name: 'Thing', priceCents: 100, stock: 1 }).expect(201);
    await vi.waitFor(async () => {
      const res = await http().get(`/admin/webhooks/${id}`).set('Authorization', admin).expect(200);
      expect(res.body.status).toBe('disabled');
    }, { timeout: 20_000, interval: 50 });
    const logs = lines.join('');
    expect(logs).toContain(`webhook endpoint ${id} disabled`);
    expect(logs).not.toContain(secret.slice('whsec_'.length, 20));
  });
});
