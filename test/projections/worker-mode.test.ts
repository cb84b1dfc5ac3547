import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, ensureBuilt, waitUntil, type RunningProcess } from '../operations/service-process.js';
import { createTestDatabase } from '../support/database.js';
import { createProduct, heldLocksAndConnections, readProduct, startService, terminate } from './worker-processes.js';

// PROJECTIONS=worker, as the built service runs by default: the read models are applied in a worker
// thread, and the main thread answers X-Min-Position from the checkpoints the thread posts to it.
describe('PROJECTIONS=worker', () => {
  let databaseUrl: string;
  let service: { process: RunningProcess; url: string };

  beforeAll(async () => {
    ensureBuilt();
    databaseUrl = await createTestDatabase();
    service = await startService(databaseUrl, 'worker');
  }, 300_000);
  afterAll(() => {
    if (service?.process.child.exitCode === null) service.process.child.kill('SIGKILL');
  });

  it('applies the projections in the worker thread, and a read with X-Min-Position sees the command', async () => {
    expect(service.process.output()).toContain('run in a worker thread');
    for (let i = 0; i < 3; i++) {
      const { id, position } = await createProduct(service.url);
      const read = await readProduct(service.url, id, position);
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(id);
      expect(BigInt(read.position!)).toBeGreaterThanOrEqual(BigInt(position));
    }
    // Every applier lock is the worker's: the main thread takes none (it has no batch connections either).
    expect(service.process.output()).toContain('applying projection catalog');
  });

  it('reports the projections from the worker in /health and /admin/projections, and rebuilds there', async () => {
    const { position } = await createProduct(service.url);
    const health = (await (await fetch(`${service.url}/health`)).json()) as { details: { projections: Record<string, { status: string }>; reactions: object } };
    expect(health.details.projections.catalog.status).toBe('running');
    expect(health.details.reactions).toHaveProperty('order-expiry');
    const rebuild = await fetch(`${service.url}/admin/projections/catalog/rebuild`, { method: 'POST', headers: { authorization: adminToken() } });
    expect(rebuild.status).toBe(202);
    await waitUntil('the rebuild to finish', async () => {
      const res = await fetch(`${service.url}/admin/projections`, { headers: { authorization: adminToken() } });
      const rows = (await res.json()) as { name: string; status: string; position: string }[];
      const catalog = rows.find((r) => r.name === 'catalog')!;
      return catalog.status === 'running' && BigInt(catalog.position) >= BigInt(position) ? true : undefined;
    });
    expect(service.process.output()).toMatch(/projection catalog rebuilt from \d+ events/);
  });

  it('stops the worker cleanly on SIGTERM: exit code 0, every lock and connection released', async () => {
    expect(await terminate(service.process)).toBe(0);
    expect(await heldLocksAndConnections(databaseUrl)).toEqual({ locks: 0, connections: [] });
  });
});
