import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../src/event-store/event-store.js';
import { createMigratedDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, waitFor, type ProjectionsTestApp } from './projections-test-app.js';
import { appendEvents, createTestReadModels, TestBatchedProjection } from './test-counts.projection.js';

describe('projections with applyBatch (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;
  let t: ProjectionsTestApp;
  let batched: TestBatchedProjection;

  beforeAll(async () => {
    let url: string;
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

  it('applies the batch through the handlers when applyBatch fails where they do not', async () => {
    await caughtUp(pool, 'test_batched');
    const handlerCalls = batched.handlerCalls;
    batched.batchBroken = true;
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
});
