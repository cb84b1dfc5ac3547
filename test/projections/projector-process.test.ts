import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, ensureBuilt, launch, waitUntil, type RunningProcess } from '../operations/service-process.js';
import { createTestDatabase } from '../support/database.js';
import { createProduct, heldLocksAndConnections, readProduct, startService, terminate } from './worker-processes.js';

// An API instance with PROJECTIONS=off and `npm run projector` as a process of its own: the projector
// applies the read models and announces its checkpoints (NOTIFY), which is how the API answers X-Min-Position.
describe('PROJECTIONS=off with npm run projector', () => {
  let databaseUrl: string;
  let api: { process: RunningProcess; url: string };
  let projector: RunningProcess | undefined;

  beforeAll(async () => {
    ensureBuilt();
    databaseUrl = await createTestDatabase();
    api = await startService(databaseUrl, 'off');
  }, 300_000);
  afterAll(() => {
    for (const running of [api?.process, projector]) if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  });

  it('applies nothing itself: without a projector, a read waiting for a position answers 503 PROJECTION_LAGGING', async () => {
    const { id, position } = await createProduct(api.url);
    const read = await readProduct(api.url, id, position);
    expect(read.status).toBe(503);
    expect(read.body.code).toBe('PROJECTION_LAGGING');
    expect(api.process.output()).not.toContain('applying projection');
  });

  it('with npm run projector running, reads with X-Min-Position see each command', async () => {
    projector = launch('npm', ['run', '--silent', 'projector'], { DATABASE_URL: databaseUrl, JWT_SECRET: 'operations-test-secret-long-enough' });
    const running = projector;
    await waitUntil('the projector to apply the catalog', () => (running.output().includes('applying projection catalog') ? true : undefined));
    for (let i = 0; i < 3; i++) {
      const { id, position } = await createProduct(api.url);
      const read = await readProduct(api.url, id, position);
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(id);
      expect(BigInt(read.position!)).toBeGreaterThanOrEqual(BigInt(position));
    }
  });

  it('rebuilds on the API instance on request (the projector finds its checkpoint moved), and reports from the database', async () => {
    const rebuild = await fetch(`${api.url}/admin/projections/catalog/rebuild`, { method: 'POST', headers: { authorization: adminToken() } });
    expect(rebuild.status).toBe(202);
    await waitUntil('the rebuild to finish', () => (api.process.output().match(/projection catalog rebuilt from \d+ events/) ? true : undefined));
    const { id, position } = await createProduct(api.url);
    expect((await readProduct(api.url, id, position)).status).toBe(200);
    const health = (await (await fetch(`${api.url}/health`)).json()) as { details: { projections: Record<string, { status: string; lag: number }> } };
    expect(health.details.projections.catalog.status).toBe('running');
  });

  it('stops the projector cleanly on SIGTERM: exit code 0, its locks and connections released', async () => {
    expect(await terminate(projector!)).toBe(0);
    expect((await heldLocksAndConnections(databaseUrl)).locks).toBe(0);
    expect(await terminate(api.process)).toBe(0);
    expect(await heldLocksAndConnections(databaseUrl)).toEqual({ locks: 0, connections: [] });
  });
});
