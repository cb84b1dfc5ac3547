import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogCheckpoint } from '../../src/event-store/event.js';
import { createMigratedDatabase } from '../support/database.js';
import { startProjectionsApp, waitFor, type ProjectionsTestApp } from './projections-test-app.js';
import { createTestReadModels } from './test-counts.projection.js';

const NAMES = ['test_counts', 'test_types'];

// In worker mode the main thread answers `X-Projection-Position` from the checkpoints the worker posts
// through onAdvanced, and queries projection_checkpoints on every read while it has none. Those posts must
// not wait for the first event: a service started on a quiet log would otherwise query on every read. An
// instance that applies nothing learns them from the table when it starts listening, then from announcements.
describe('checkpoint announcements (real PostgreSQL, a log with no events)', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  const apps: ProjectionsTestApp[] = [];

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await close();
  });

  const listen = (app: ProjectionsTestApp) => {
    const heard = new Map<string, LogCheckpoint>();
    app.runner.onAdvanced((name, checkpoint) => heard.set(name, checkpoint));
    return heard;
  };

  it('tells a new listener the checkpoints its appliers apply from, and announces a checkpoint taken over, with no batch committed', async () => {
    const a = await startProjectionsApp(url);
    apps.push(a);
    // Past its appliers' first read of their checkpoints: a first listener hears both (announced, or replayed
    // if they came first). Not localPositionOf: the runner's own read of the table on connecting (for what
    // it missed while not listening) can answer that before the appliers have read anything.
    const first = listen(a);
    await waitFor('a to apply from both checkpoints', async () => first.size === NAMES.length);
    const table = await pool.query<{ name: string; position: string }>('SELECT name, position::text FROM projection_checkpoints WHERE name = ANY($1)', [NAMES]);
    // A listener that comes after hears them at once, from the replay alone: no batch will announce them.
    const heardByA = listen(a);
    expect(Object.fromEntries([...heardByA].map(([name, checkpoint]) => [name, checkpoint.position]))).toEqual(
      Object.fromEntries(table.rows.map((row) => [row.name, row.position])),
    );

    // b waits for the applier locks: it applies nothing, so it announces nothing.
    const b = await startProjectionsApp(url);
    apps.push(b);
    const heardByB = listen(b);
    expect(heardByB.size).toBe(0);
    // Yet b answers reads without a query: a announced its checkpoints before b listened, so b read them
    // from the table once it listened (an instance that applies nothing would otherwise query on every read
    // until the log moved).
    await waitFor('b to know the checkpoints a applies from', async () => b.runner.localPositionOf(NAMES) !== undefined);
    expect(b.runner.localPositionOf(NAMES)).toBe(table.rows[0].position);
    expect(b.runner.isApplying(NAMES[0])).toBe(false);

    // a stops: b takes over, and announces the checkpoints it read, though still no event has come.
    await a.close();
    apps.splice(apps.indexOf(a), 1);
    await waitFor('b to announce both checkpoints', async () => heardByB.size === NAMES.length);
    expect(b.runner.localPositionOf(NAMES)).toBe(table.rows[0].position);
  });
});
