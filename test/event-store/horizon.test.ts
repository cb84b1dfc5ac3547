import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_START, type LogCheckpoint } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { createMigratedDatabase, createTestDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, type ProjectionsTestApp } from '../projections/projections-test-app.js';
import { appendEvents, createTestReadModels, projectedCounts } from '../projections/test-counts.projection.js';

/**
 * The log reader's horizon (event-store/log-horizon.ts): only our own appends in flight hold the read
 * side back, not other transactions on the server. (The late-commit stress test is in event-store.test.ts.)
 */
describe('log horizon (real PostgreSQL)', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let store: EventStore;
  let t: ProjectionsTestApp;

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    store = new EventStore(pool);
    t = await startProjectionsApp(url);
  });
  afterAll(async () => {
    await t?.close();
    await close();
  });

  /** Where the log ends now, in log order (every projection caught up first, so nothing is in flight). */
  async function logEnd(): Promise<LogCheckpoint> {
    await caughtUp(pool, 'test_counts');
    await caughtUp(pool, 'test_types');
    const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    return rows.length ? { transactionId: rows[0].transaction_id, position: rows[0].global_position } : LOG_START;
  }

  /** An append's first write, left open: it holds a position and a transaction id until it ends. */
  async function openAppend(client: pg.PoolClient, streamId: string, begin = true): Promise<{ position: string; transactionId: string }> {
    if (begin) await client.query('BEGIN');
    const { rows } = await client.query<{ global_position: string; transaction_id: string }>(
      `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
       VALUES ($1, $2, 'test', 1, 'Counted', '{}', '{}') RETURNING global_position, transaction_id`,
      [randomUUID(), streamId],
    );
    return { position: rows[0].global_position, transactionId: rows[0].transaction_id };
  }

  it('is not held back by write transactions held open in another database of the server, nor in ours on another table', async () => {
    const start = await logEnd();
    const otherDatabase = new pg.Client({ connectionString: await createTestDatabase() });
    await otherDatabase.connect();
    const bystander = await pool.connect();
    try {
      await otherDatabase.query('BEGIN');
      await otherDatabase.query('CREATE TABLE busy (n int); INSERT INTO busy VALUES (1)');
      await bystander.query('CREATE TABLE IF NOT EXISTS bystander (n int)');
      await bystander.query('BEGIN');
      await bystander.query('INSERT INTO bystander VALUES (1)');
      // Both hold transaction ids older than the append below: the snapshot's xmin would wait for them.
      const ids = [
        (await otherDatabase.query<{ x: string }>('SELECT pg_current_xact_id_if_assigned() AS x')).rows[0].x,
        (await bystander.query<{ x: string }>('SELECT pg_current_xact_id_if_assigned() AS x')).rows[0].x,
      ];

      const stream = randomUUID();
      const fresh = await appendEvents(store, stream, 1);
      const batch = await store.readLogBatch(start, 100);
      expect(batch.events.map((e) => e.position)).toEqual([fresh]);
      expect(ids.every((x) => BigInt(x) < BigInt(batch.events[0].transactionId))).toBe(true);
      expect(batch.heldBack).toBe(false);
      expect((await store.listLog({ after: '0', limit: 1000, streamId: stream })).map((e) => e.position)).toEqual([fresh]);
      // The projections apply it (what a GET with X-Min-Position waits for), both transactions still open.
      expect(await t.runner.waitForPosition(['test_counts', 'test_types'], fresh, 10_000)).toBe(true);
      expect(await projectedCounts(pool)).toContainEqual({ stream_id: stream, count: 1 });
    } finally {
      await otherDatabase.end();
      await bystander.query('ROLLBACK');
      bystander.release();
    }
  });

  it('is held back by a slow append in flight, and hands out what it held back in log order once it commits', async () => {
    const start = await logEnd();
    const slowStream = randomUUID();
    const freshStream = randomUUID();
    const slow = await pool.connect();
    try {
      const held = await openAppend(slow, slowStream);
      const fresh = await appendEvents(store, freshStream, 1);

      // The append after it has committed, but may not be handed out: the slow one could still commit
      // below it in log order.
      const batch = await store.readLogBatch(start, 100);
      expect(batch.events).toEqual([]);
      expect(batch.heldBack).toBe(true);
      expect(await store.listLog({ after: start.position, limit: 100, streamId: freshStream })).toEqual([]);

      await slow.query('COMMIT');
      const after = await store.readLogBatch(start, 100);
      expect(after.events.map((e) => [e.position, e.transactionId])).toEqual([
        [held.position, held.transactionId],
        [fresh, after.events[1]?.transactionId],
      ]);
      expect(after.heldBack).toBe(false);
      expect(await t.runner.waitForPosition(['test_counts', 'test_types'], fresh, 10_000)).toBe(true);
      const counts = await projectedCounts(pool);
      expect(counts).toContainEqual({ stream_id: slowStream, count: 1 });
      expect(counts).toContainEqual({ stream_id: freshStream, count: 1 });
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
    }
  });

  it('passes over an announced append until it has a transaction id, and waits for it from then on', async () => {
    // Appends take the append lock before their transaction has an id. Until it has one, every id it
    // can get is above the reader's snapshot: nothing to wait for yet.
    const start = await logEnd();
    const slow = await pool.connect();
    try {
      await slow.query('BEGIN');
      await slow.query('SELECT pg_advisory_xact_lock_shared(1163285587)');
      const fresh = await appendEvents(store, randomUUID(), 1);
      const first = await store.readLogBatch(start, 100);
      expect(first).toMatchObject({ events: [{ position: fresh }], heldBack: false });
      const checkpoint = { transactionId: first.events[0].transactionId, position: fresh };

      const held = await openAppend(slow, randomUUID(), false);
      const next = await appendEvents(store, randomUUID(), 1);
      expect(await store.readLogBatch(checkpoint, 100)).toEqual({ events: [], heldBack: true });
      await slow.query('COMMIT');
      expect((await store.readLogBatch(checkpoint, 100)).events.map((e) => e.position)).toEqual([held.position, next]);
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
    }
  });
});
