import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { IN_THIS_DATABASE } from '../../src/event-store/log-horizon.js';
import { lockKey } from '../../src/projections/projection-locks.js';
import { ProjectionRebuildingError } from '../../src/projections/projection.errors.js';
import type { ProjectionStatus } from '../../src/projections/projection-runner.js';
import { createMigratedDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, type ProjectionsTestApp } from './projections-test-app.js';
import { appendEvents, appliedMatchesLog, createTestReadModels, foldedCounts, projectedCounts } from './test-counts.projection.js';

describe('projection rebuild and verify (real PostgreSQL)', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;
  let t: ProjectionsTestApp;
  const streams = Array.from({ length: 20 }, () => randomUUID());

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    writer = new EventStore(pool);
    t = await startProjectionsApp(url);
    for (let i = 0; i < 30; i++) await appendEvents(writer, streams[i % streams.length], 20);
    await caughtUp(pool, 'test_counts');
  });
  afterAll(async () => {
    await t?.close();
    await close();
  });

  /**
   * Appends small batches until stopped, as live traffic would, up to 300 appends: the later tests replay
   * the whole log several times, and a log that grew with how slow the machine was made them time out.
   */
  function keepWriting(): { stop: () => Promise<number> } {
    let running = true;
    let appended = 0;
    const loop = (async () => {
      while (running && appended < 300) {
        await appendEvents(writer, streams[appended % streams.length], 1 + (appended % 3));
        appended++;
        await sleep(2);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return appended;
      },
    };
  }

  /** Queries the live table until stopped; every query must succeed. */
  function keepReading(): { stop: () => Promise<{ reads: number; errors: unknown[] }> } {
    let running = true;
    let reads = 0;
    const errors: unknown[] = [];
    const loop = (async () => {
      while (running) {
        try {
          await pool.query('SELECT count(*), sum(count) FROM test_counts JOIN test_applied USING (stream_id)');
          reads++;
        } catch (error) {
          errors.push(error);
        }
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return { reads, errors };
      },
    };
  }

  const indexNames = async () =>
    (await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename IN ('test_counts', 'test_applied') ORDER BY indexname`)).rows.map((r) => r.indexname);
  const shadowsLeft = async () =>
    (await pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%\\_\\_rebuild'`)).rows[0].n;

  it('rebuilds from the log while the live model keeps serving and being updated, then swaps it in', async () => {
    const indexesBefore = await indexNames();
    // A wrong row the live model picked up somehow: the rebuild must replace the tables, not patch them.
    await pool.query(`UPDATE test_counts SET count = count + 1000 WHERE stream_id = $1`, [streams[0]]);

    // While the rebuild holds its first shadow event, the live model must keep applying new events.
    let duringRebuild: { status?: ProjectionStatus; liveApplied?: boolean; second?: unknown } | undefined;
    t.counts.shadowGate = async () => {
      if (duringRebuild) return;
      duringRebuild = {};
      const position = await appendEvents(writer, randomUUID(), 2);
      duringRebuild.liveApplied = await t.runner.waitForPosition(['test_counts'], position, 10_000);
      duringRebuild.status = (await t.runner.statuses()).find((s) => s.name === 'test_counts');
      duringRebuild.second = await t.runner.rebuild('test_counts').catch((error: unknown) => error);
    };
    const writes = keepWriting();
    const reads = keepReading();
    const result = await t.runner.rebuild('test_counts');
    const appended = await writes.stop();
    const { reads: readCount, errors } = await reads.stop();
    t.counts.shadowGate = undefined;

    expect(result).toMatchObject({ name: 'test_counts', swapped: true });
    expect(result.processed).toBeGreaterThanOrEqual(600);
    expect(duringRebuild?.liveApplied).toBe(true);
    expect(duringRebuild?.status?.status).toBe('rebuilding');
    expect(duringRebuild?.second).toBeInstanceOf(ProjectionRebuildingError);
    expect(appended).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(readCount).toBeGreaterThan(0);

    await caughtUp(pool, 'test_counts');
    expect(await projectedCounts(pool)).toEqual(await foldedCounts(pool));
    expect(await appliedMatchesLog(pool)).toEqual({ missing: 0, extra: 0 });
    expect(await indexNames()).toEqual(indexesBefore);
    expect(await shadowsLeft()).toBe(0);
    expect((await t.runner.statuses()).find((s) => s.name === 'test_counts')?.status).toBe('running');
  });

  it('verifies a healthy read model against a fresh rebuild while writes go on, and names the rows of a damaged one', async () => {
    const writes = keepWriting();
    try {
      expect(await t.runner.verify('test_counts')).toEqual([]);
      expect(await t.runner.verify('test_types')).toEqual([]);
    } finally {
      await writes.stop();
    }
    await caughtUp(pool, 'test_counts');

    await pool.query(`UPDATE test_counts SET count = count + 100 WHERE stream_id = $1`, [streams[1]]);
    await pool.query(`DELETE FROM test_counts WHERE stream_id = $1`, [streams[2]]);
    const differences = await t.runner.verify('test_counts');
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatchObject({ table: 'test_counts', onlyInLive: 1, onlyInRebuilt: 2 });
    expect(differences[0].samplesOnlyInLive).toEqual([expect.objectContaining({ stream_id: streams[1] })]);
    expect(differences[0].samplesOnlyInRebuilt).toEqual(
      expect.arrayContaining([expect.objectContaining({ stream_id: streams[1] }), expect.objectContaining({ stream_id: streams[2] })]),
    );
    // Verify only looks: the damage is still there, the shadows are gone.
    expect((await pool.query(`SELECT count(*)::int AS n FROM test_counts WHERE stream_id = $1`, [streams[2]])).rows[0].n).toBe(0);
    expect(await shadowsLeft()).toBe(0);

    // swap: false leaves the shadow tables, equal to the live model as of the live checkpoint.
    const kept = await t.runner.rebuild('test_counts', { swap: false });
    expect(kept.swapped).toBe(false);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM test_counts__rebuild WHERE stream_id = $1`, [streams[2]]);
    expect(rows[0].n).toBe(1);

    // A rebuild repairs it (and clears the kept shadow first).
    await t.runner.rebuild('test_counts');
    expect(await projectedCounts(pool)).toEqual(await foldedCounts(pool));
    expect(await shadowsLeft()).toBe(0);
  });

  it('holds no lock once a verify or rebuild has returned, so the next one can start at once', async () => {
    const held = async () =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND ${IN_THIS_DATABASE}`, [
        lockKey('rebuild', 'test_counts').classId,
        lockKey('rebuild', 'test_counts').objId,
      ])).rows[0].n;
    for (let i = 0; i < 3; i++) {
      expect(await t.runner.verify('test_counts')).toEqual([]);
      expect(await held()).toBe(0);
      await t.runner.rebuild('test_counts');
      expect(await held()).toBe(0);
    }
  });

  it('abandons a rebuild whose handler fails, leaving the live model as it was', async () => {
    await caughtUp(pool, 'test_counts');
    const before = await projectedCounts(pool);
    let calls = 0;
    t.counts.shadowGate = async (event: StoredEvent) => {
      if (++calls === 50) throw new Error(`shadow failure at ${event.position}`);
    };
    try {
      await expect(t.runner.rebuild('test_counts')).rejects.toThrow(/shadow failure/);
    } finally {
      t.counts.shadowGate = undefined;
    }
    expect(await projectedCounts(pool)).toEqual(before);
    expect(await shadowsLeft()).toBe(0);
    const status = (await t.runner.statuses()).find((s) => s.name === 'test_counts');
    expect(status).toMatchObject({ status: 'running' });
    expect(status?.lastError).toMatch(/^rebuild failed: .*shadow failure/);
  });
});
