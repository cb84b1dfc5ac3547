import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/event-store/errors.js';
import { LOG_START } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { IN_THIS_DATABASE } from '../../src/event-store/log-horizon.js';
import { applyBatch } from '../../src/projections/batch-applier.js';
import { CheckpointStore } from '../../src/projections/checkpoint-store.js';
import { lockKey } from '../../src/projections/projection-locks.js';
import { createMigratedDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, waitFor, type ProjectionsTestApp } from './projections-test-app.js';
import {
  appendEvents,
  appliedMatchesLog,
  createTestReadModels,
  foldedCounts,
  foldedTypes,
  projectedCounts,
  projectedTypes,
  testMetadata,
  TestTypesProjection,
} from './test-counts.projection.js';

describe('projection runner (real PostgreSQL)', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;
  let t: ProjectionsTestApp;

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    writer = new EventStore(pool);
    t = await startProjectionsApp(url);
  });
  afterAll(async () => {
    await t?.close();
    await close();
  });

  async function expectReadModelsMatchTheLog(): Promise<void> {
    await caughtUp(pool, 'test_counts');
    await caughtUp(pool, 'test_types');
    expect(await projectedCounts(pool)).toEqual(await foldedCounts(pool));
    expect(await projectedTypes(pool)).toEqual(await foldedTypes(pool));
    expect(await appliedMatchesLog(pool)).toEqual({ missing: 0, extra: 0 });
  }

  it('applies every committed event exactly once while many writers commit late, out of order, or roll back', async () => {
    let rolledBack = 0;
    const worker = async (w: number) => {
      const streams = [randomUUID(), randomUUID(), randomUUID()];
      for (let i = 0; i < 50; i++) {
        const rollBack = (w + i) % 9 === 0;
        const events = Array.from({ length: 1 + (i % 3) }, (_, k) => ({ type: (i + k) % 5 === 0 ? 'Ignored' : 'Counted', data: { w, i, k } }));
        try {
          await writer.append([{ streamId: streams[i % 3], streamType: 'test', expectedVersion: 'any', events }], testMetadata, {
            // Positions are taken at insert; the commit comes later, in another order than the positions.
            inTransaction: async () => {
              await sleep(Math.random() * 12);
              if (rollBack) throw new Error('roll back');
            },
          });
        } catch (error) {
          if (!rollBack) throw error;
          rolledBack++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
    expect(rolledBack).toBeGreaterThan(0);
    await expectReadModelsMatchTheLog();
    const [counts] = await t.runner.statuses();
    expect(counts).toMatchObject({ name: 'test_counts', status: 'running', lag: 0 });
    expect(counts.lastError).toBeUndefined();
  });

  it('advances past events it has no handler for', async () => {
    const position = await appendEvents(writer, randomUUID(), 3, 'Ignored');
    expect(await t.runner.waitForPosition(['test_counts'], position, 10_000)).toBe(true);
    const { rows } = await pool.query(`SELECT position FROM projection_checkpoints WHERE name = 'test_counts'`);
    expect(rows[0].position).toBe(position);
  });

  it('stops a failing projection at the failing event, keeps the others running, and recovers without loss or doubles', async () => {
    await caughtUp(pool, 'test_counts');
    const stream = randomUUID();
    // Ten events in one transaction, so one batch: the handler fails on the last, after the nine before it ran.
    let failOn: string | undefined;
    t.counts.failWhen = (event) => event.streamId === stream && event.version === 10 && (failOn = event.position) !== undefined;
    await appendEvents(writer, stream, 10);

    const failed = await waitFor('test_counts to fail', async () => {
      const status = (await t.runner.statuses()).find((s) => s.name === 'test_counts');
      return status?.status === 'failed' ? status : undefined;
    });
    expect(failed.lastError).toContain(`injected failure at ${failOn}`);
    const { rows: checkpoint } = await pool.query(`SELECT position, failed_position FROM projection_checkpoints WHERE name = 'test_counts'`);
    expect(checkpoint[0].failed_position).toBe(failOn);
    // The nine events before the culprit are applied; the culprit is not.
    expect(BigInt(checkpoint[0].position)).toBe(BigInt(failOn!) - 1n);
    expect((await pool.query(`SELECT count FROM test_counts WHERE stream_id = $1`, [stream])).rows[0].count).toBe(9);
    expect(failed.lag).toBeGreaterThan(0);

    // The other projection carries on meanwhile, and so do reads.
    const other = await appendEvents(writer, randomUUID(), 2);
    expect(await t.runner.waitForPosition(['test_types'], other, 10_000)).toBe(true);
    expect(await t.runner.waitForPosition(['test_counts'], other, 300)).toBe(false);

    t.counts.failWhen = undefined;
    await waitFor('test_counts to recover', async () => (await t.runner.statuses()).find((s) => s.name === 'test_counts' && s.status === 'running'));
    await expectReadModelsMatchTheLog();
    expect((await t.runner.statuses()).find((s) => s.name === 'test_counts')?.lastError).toBeUndefined();
  });

  it('writes nothing from a batch whose checkpoint moved under it, nor while a rebuild holds the projection paused', async () => {
    await caughtUp(pool, 'test_types');
    const types = t.app.get(TestTypesProjection);
    // A batch read from a stale checkpoint (as a second applier, or one outrun by a rebuild's swap, would).
    const stale = await writer.readLog(LOG_START, 50);
    const outcome = await applyBatch(pool, new CheckpointStore(pool), types, stale, LOG_START, 'live');
    expect(outcome).toEqual({ kind: 'moved' });
    expect(await projectedTypes(pool)).toEqual(await foldedTypes(pool));

    const pauser = await pool.connect();
    try {
      await pauser.query('SELECT pg_advisory_lock($1, $2)', lockKey('batch', 'test_types').args);
      const position = await appendEvents(writer, randomUUID(), 2);
      expect(await t.runner.waitForPosition(['test_types'], position, 700)).toBe(false);
      await pauser.query('SELECT pg_advisory_unlock($1, $2)', lockKey('batch', 'test_types').args);
      expect(await t.runner.waitForPosition(['test_types'], position, 10_000)).toBe(true);
    } finally {
      pauser.release();
    }
    expect(await projectedTypes(pool)).toEqual(await foldedTypes(pool));
  });

  it('is held back by a slow append, and never skips its event once it commits', async () => {
    await caughtUp(pool, 'test_counts');
    const slow = await pool.connect();
    try {
      // An append that takes its position, then holds its transaction open, holds back what commits after it.
      const slowStream = randomUUID();
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
         VALUES ($1, $2, 'test', 1, 'Counted', '{}', '{}')`,
        [randomUUID(), slowStream],
      );
      const after = await appendEvents(writer, randomUUID(), 1);
      expect(await t.runner.waitForPosition(['test_counts'], after, 700)).toBe(false);
      await slow.query('COMMIT');
      expect(await t.runner.waitForPosition(['test_counts'], after, 10_000)).toBe(true);
      expect((await pool.query(`SELECT count FROM test_counts WHERE stream_id = $1`, [slowStream])).rows[0]?.count).toBe(1);
      await expectReadModelsMatchTheLog();
    } finally {
      await slow.query('ROLLBACK');
      slow.release();
    }
  });

  it('waits for a position: 0 at once, a missing one not at all, a new one once applied; unknown names are refused', async () => {
    expect(await t.runner.waitForPosition(['test_counts', 'test_types'], '0', 0)).toBe(true);
    const { rows } = await pool.query<{ head: string }>(`SELECT max(global_position) AS head FROM events`);
    expect(await t.runner.waitForPosition(['test_counts'], String(BigInt(rows[0].head) + 1000n), 200)).toBe(false);

    const position = await appendEvents(writer, randomUUID(), 1);
    expect(await t.runner.waitForPosition(['test_counts', 'test_types'], position, 10_000)).toBe(true);
    // The reported position is one the read models have applied (positions are not monotonic in log
    // order, so it need not be >= `position`: a later transaction may hold a smaller position).
    const reported = await t.runner.positionOf(['test_counts', 'test_types']);
    expect(await t.runner.waitForPosition(['test_counts', 'test_types'], reported, 0)).toBe(true);
    await expect(t.runner.waitForPosition(['nope'], position, 10)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('two runners on one database', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    writer = new EventStore(pool);
  });
  afterAll(() => close());

  /** The backend holding the projection's applier lock. */
  async function applierPid(): Promise<number | undefined> {
    const key = lockKey('applier', 'test_counts');
    const { rows } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 2 AND ${IN_THIS_DATABASE}`,
      [key.classId, key.objId],
    );
    return rows[0]?.pid;
  }

  it('lets only one apply at a time, and the other take over when the first dies or closes', async () => {
    const a = await startProjectionsApp(url);
    let b: ProjectionsTestApp | undefined;
    try {
      await waitFor('a to become the applier', async () => a.runner.isApplying('test_counts'));
      b = await startProjectionsApp(url);
      for (let i = 0; i < 5; i++) await appendEvents(writer, randomUUID(), 20);
      await caughtUp(pool, 'test_counts');
      expect(a.counts.calls).toBe(100);
      expect(b.counts.calls).toBe(0);
      expect(b.runner.isApplying('test_counts')).toBe(false);

      // a's connection drops (its process hangs or the network fails): its session lock goes with it.
      await pool.query('SELECT pg_terminate_backend($1)', [await applierPid()]);
      const stillB = b;
      await waitFor('b to take over', async () => stillB.runner.isApplying('test_counts'));
      const callsOfA = a.counts.calls;
      for (let i = 0; i < 3; i++) await appendEvents(writer, randomUUID(), 10);
      await caughtUp(pool, 'test_counts');
      expect(b.counts.calls).toBe(30);
      expect(a.counts.calls).toBe(callsOfA);

      // b shuts down cleanly; a (reconnected meanwhile) takes over.
      await b.close();
      b = undefined;
      await waitFor('a to take over again', async () => a.runner.isApplying('test_counts'));
      await appendEvents(writer, randomUUID(), 7);
      await caughtUp(pool, 'test_counts');
      expect(await projectedCounts(pool)).toEqual(await foldedCounts(pool));
      expect(await appliedMatchesLog(pool)).toEqual({ missing: 0, extra: 0 });
    } finally {
      await b?.close();
      await a.close();
    }
    // A clean stop leaves no connection and no lock behind.
    await waitFor('the runners connections to go', async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('eventshop', 'eventshop-projections')`,
      );
      return rows[0].n === 0;
    });
    expect((await pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND ${IN_THIS_DATABASE}`)).rows[0].n).toBe(0);
  });
});
