import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const METRICS_TOKEN = 'scrape-me-with-this-long-token';

/** Who may read GET /metrics, as the contract's METRICS_TOKEN row says. */
describe('GET /metrics access', () => {
  const apps: TestApp[] = [];
  let development: TestApp;
  let production: TestApp;
  let productionWithToken: TestApp;
  let developmentWithToken: TestApp;
  beforeAll(async () => {
    development = await startTestApp({ NODE_ENV: 'development' });
    // The others share its database: no need to migrate three more.
    const on = { DATABASE_URL: development.databaseUrl };
    production = await startTestApp({ ...on, NODE_ENV: 'production' });
    productionWithToken = await startTestApp({ ...on, NODE_ENV: 'production', METRICS_TOKEN });
    developmentWithToken = await startTestApp({ ...on, NODE_ENV: 'development', METRICS_TOKEN });
    apps.push(development, production, productionWithToken, developmentWithToken);
  });
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  const get = (t: TestApp, authorization?: string) => {
    const req = t.http().get('/metrics');
    return authorization ? req.set('Authorization', authorization) : req;
  };

  it('is public in development without METRICS_TOKEN', async () => {
    const res = await get(development).expect(200);
    expect(res.text).toContain('eventshop_commands_handled_total');
  });

  it('is for admins only in production without METRICS_TOKEN', async () => {
    expect((await get(production).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await get(production, production.token('alice')).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await get(production, `Bearer ${METRICS_TOKEN}`).expect(401)).body.code).toBe('UNAUTHENTICATED');
    const res = await get(production, production.token('ops', ['admin'])).expect(200);
    expect(res.text).toContain('eventshop_commands_handled_total');
  });

  it.each([
    ['production', () => productionWithToken],
    ['development', () => developmentWithToken],
  ])('with METRICS_TOKEN in %s, takes that token (or an admin) and nothing else', async (_, app) => {
    const t = app();
    const res = await get(t, `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(res.text).toContain('eventshop_commands_handled_total');
    await get(t, t.token('ops', ['admin'])).expect(200);
    expect((await get(t).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await get(t, `Bearer ${METRICS_TOKEN}x`).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await get(t, `Bearer ${METRICS_TOKEN.slice(1)}`).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await get(t, t.token('alice')).expect(403)).body.code).toBe('FORBIDDEN');
  });

  it('lets the metrics token read /metrics only', async () => {
    const res = await productionWithToken.http().get('/admin/projections').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});
