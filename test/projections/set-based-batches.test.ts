import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_START } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { applyBatch } from '../../src/projections/batch-applier.js';
import { CheckpointStore } from '../../src/projections/checkpoint-store.js';
import { lockKey } from '../../src/projections/projection-locks.js';
import { createMigratedDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, waitFor, type ProjectionsTestApp } from './projections-test-app.js';
import { appendEvents, createTestReadModels, foldedTypes, projectedTypes, TestBatchedProjection, TestTypesProjection } from './test-counts.projection.js';

describe('projections with applyBatch (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;
  let t: ProjectionsTestApp;
  let batched: TestBatchedProjection;

  let url: string;

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    writer = new EventStore(pool);
    t = await startProjectionsApp(url, [], [TestBatchedProjection]);
    batched = t.app.get(TestBatchedProjection);
  });
  afterAll(async () => {
    await t?.close();
    await close();
  });

  /** test_batched must hold each Counted event's position exactly once. */
  async function expectEveryCountedEventOnce(): Promise<void> {
    await caughtUp(pool, 'test_batched');
    const { rows } = await pool.query<{ missing: number; extra: number }>(`
      SELECT (SELECT count(*)::int FROM (SELECT global_position FROM events WHERE type = 'Counted' EXCEPT SELECT position FROM test_batched) m) AS missing,
             (SELECT count(*)::int FROM (SELECT position FROM test_batched EXCEPT ALL SELECT global_position FROM events WHERE type = 'Counted') x) AS extra`);
    expect(rows[0]).toEqual({ missing: 0, extra: 0 });
  }

  async function statusOf(name: string) {
    return (await t.runner.statuses()).find((s) => s.name === name);
  }

  it('applies a batch of several events in one applyBatch, and a single event through its handler', async () => {
    const before = { batch: batched.batchCalls, handler: batched.handlerCalls };
    // One transaction, so one batch; the Ignored events never reach the projection.
    await writer.append(
      [
        {
          streamId: randomUUID(),
          streamType: 'test',
          expectedVersion: 'any',
          events: Array.from({ length: 12 }, (_, i) => ({ type: i % 4 === 3 ? 'Ignored' : 'Counted', data: { i } })),
        },
      ],
      { correlationId: 'set-based', actor: 'tester' },
    );
    await expectEveryCountedEventOnce();
    expect(batched.batchCalls - before.batch).toBe(1);
    expect(batched.handlerCalls - before.handler).toBe(0);

    await appendEvents(writer, randomUUID(), 1);
    await expectEveryCountedEventOnce();
    expect(batched.batchCalls - before.batch).toBe(1);
    expect(batched.handlerCalls - before.handler).toBe(1);
  });

  it('stops at the failing event when applyBatch fails, as with handlers, and recovers without loss or doubles', async () => {
    await caughtUp(pool, 'test_batched');
    const stream = randomUUID();
    let failOn: string | undefined;
    batched.failWhen = (event) => event.streamId === stream && event.version === 7 && (failOn = event.position) !== undefined;
    await appendEvents(writer, stream, 10);

    const failed = await waitFor('test_batched to fail', async () => {
      const status = await statusOf('test_batched');
      return status?.status === 'failed' ? status : undefined;
    });
    expect(failed.lastError).toContain(`injected failure at ${failOn}`);
    const { rows: checkpoint } = await pool.query(`SELECT position, failed_position FROM projection_checkpoints WHERE name = 'test_batched'`);
    expect(checkpoint[0].failed_position).toBe(failOn);
    expect(BigInt(checkpoint[0].position)).toBe(BigInt(failOn!) - 1n);
    expect((await pool.query(`SELECT count(*)::int AS n FROM test_batched WHERE stream_id = $1`, [stream])).rows[0].n).toBe(6);

    batched.failWhen = undefined;
    await waitFor('test_batched to recover', async () => (await statusOf('test_batched'))?.status === 'running');
    await expectEveryCountedEventOnce();
    expect((await statusOf('test_batched'))?.lastError).toBeUndefined();
  });

  it('rebuilds and verifies through applyBatch, in replay batches larger than the live ones', async () => {
    for (let i = 0; i < 3; i++) await appendEvents(writer, randomUUID(), 2_500);
    await expectEveryCountedEventOnce();
    const before = { batch: batched.batchCalls, handler: batched.handlerCalls };
    const batches: number[] = [];
    const result = await t.runner.rebuild('test_batched', (progress) => batches.push(progress.processed));
    expect(result.swapped).toBe(true);
    await expectEveryCountedEventOnce();
    expect(await t.runner.verify('test_batched')).toEqual([]);
    expect(batched.handlerCalls - before.handler).toBe(0);
    // At least 7,500 events, at most 2,000 a batch.
    expect(result.processed).toBeGreaterThan(7_500);
    expect(Math.max(...batches.map((processed, i) => processed - (batches[i - 1] ?? 0)))).toBe(2_000);
  });

  it.each(['throws', 'deferred write fails'] as const)('applies the batch through the handlers when applyBatch fails where they do not (%s)', async (how) => {
    await caughtUp(pool, 'test_batched');
    const handlerCalls = batched.handlerCalls;
    batched.batchBroken = how;
    try {
      await appendEvents(writer, randomUUID(), 10);
      await expectEveryCountedEventOnce();
    } finally {
      batched.batchBroken = false;
    }
    expect(batched.handlerCalls - handlerCalls).toBe(10);
    expect(await statusOf('test_batched')).toMatchObject({ status: 'running', lag: 0 });
    expect((await statusOf('test_batched'))?.lastError).toBeUndefined();
  });

  it('on a pipelined connection (as live batches run) also writes nothing from a moved batch, nor while paused', async () => {
    const pipelined = new pg.Pool({ connectionString: url, pipeline: true, max: 2 });
    const pauser = await pool.connect();
    const checkpoints = new CheckpointStore(pool);
    try {
      await caughtUp(pool, 'test_types');
      const types = t.app.get(TestTypesProjection);
      const stale = await writer.readLog(LOG_START, 50);
      expect(await applyBatch(pipelined, checkpoints, types, stale, LOG_START, 'live')).toEqual({ kind: 'moved' });
      expect(await projectedTypes(pool)).toEqual(await foldedTypes(pool));

      // Paused: through the handlers (test_types) and through applyBatch with a deferred write (test_batched).
      await caughtUp(pool, 'test_batched');
      for (const name of ['test_types', 'test_batched']) await pauser.query('SELECT pg_advisory_lock($1, $2)', lockKey('batch', name).args);
      const from = { types: (await checkpoints.read('test_types')).checkpoint, batched: (await checkpoints.read('test_batched')).checkpoint };
      await appendEvents(writer, randomUUID(), 5);
      const typesBefore = await projectedTypes(pool);
      const batchedBefore = (await pool.query(`SELECT count(*)::int AS n FROM test_batched`)).rows[0].n;
      const calls = batched.batchCalls;
      // The log hands events out once no older transaction is still open (the unpaused appliers' batches may be).
      const readable = (after: typeof from.types) =>
        waitFor('the new events to be readable', async () => {
          const events = await writer.readLog(after, 50);
          return events.length >= 5 && events;
        });
      const batches = { types: await readable(from.types), batched: await readable(from.batched) };
      // As a rebuild's swap does, hold the tables too: a paused batch must not even wait for them (a write
      // sent behind the lock fails at once instead of queueing for the table).
      await pauser.query('BEGIN; LOCK TABLE test_types, test_batched IN ACCESS EXCLUSIVE MODE');
      expect(await applyBatch(pipelined, checkpoints, types, batches.types, from.types, 'live')).toEqual({ kind: 'paused' });
      expect(await applyBatch(pipelined, checkpoints, batched, batches.batched, from.batched, 'live')).toEqual({ kind: 'paused' });
      await pauser.query('COMMIT');
      // Its applyBatch ran (the live applier's may have too: on a pipelined connection a paused batch learns
      // it is paused only after its writes, which the lock's absence made fail).
      expect(batched.batchCalls).toBeGreaterThan(calls);
      expect(await projectedTypes(pool)).toEqual(typesBefore);
      expect((await pool.query(`SELECT count(*)::int AS n FROM test_batched`)).rows[0].n).toBe(batchedBefore);
      for (const name of ['test_types', 'test_batched']) await pauser.query('SELECT pg_advisory_unlock($1, $2)', lockKey('batch', name).args);
      await caughtUp(pool, 'test_types');
      await caughtUp(pool, 'test_batched');
      expect(await projectedTypes(pool)).toEqual(await foldedTypes(pool));
    } finally {
      await pauser.query('ROLLBACK; SELECT pg_advisory_unlock_all()');
      pauser.release();
      await pipelined.end();
    }
  });
});
