import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../../src/event-store/command-runner.js';
import { ManualClock } from '../../src/reactions/clock.js';
import { timerContext, TimerTakenError } from '../../src/reactions/timer-firer.js';
import { TimerStore, type PendingTimer } from '../../src/reactions/timer-store.js';
import { createMigratedDatabase } from '../support/database.js';
import { waitFor } from '../projections/projections-test-app.js';
import { appendFired, startReactionsApp, type ReactionsTestApp } from './reactions-test-app.js';

const MINUTE = 60_000;

interface TimerRow {
  fired_at: Date | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
}

describe('durable timers (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  const clockA = new ManualClock();
  const clockB = new ManualClock(clockA.now());
  let a: ReactionsTestApp;
  let b: ReactionsTestApp;

  beforeAll(async () => {
    let url: string;
    ({ url, pool, close } = await createMigratedDatabase());
    a = await startReactionsApp(url, clockA);
    b = await startReactionsApp(url, clockB);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await close();
  });

  const advanceBoth = (ms: number) => {
    clockA.advance(ms);
    clockB.advance(ms);
  };
  const timerRow = async (id: string) => (await pool.query<TimerRow>(`SELECT * FROM timers WHERE id = $1`, [id])).rows[0];
  const fired = (id: string) => waitFor(`timer ${id} to fire`, async () => ((await timerRow(id)).fired_at ? timerRow(id) : undefined));
  /** Schedules a test timer that appends to a fresh stream; answers its id and the stream. */
  const schedule = async (dueInMs: number, t: ReactionsTestApp = a, streamId = randomUUID()) => {
    const id = randomUUID();
    expect(await t.timers.schedule({ id, name: 'test-timer', dueAt: new Date(clockA.now().getTime() + dueInMs), payload: { streamId }, correlationId: 'timer-tests' })).toBe(true);
    return { id, streamId };
  };

  it('schedules idempotently: a second request with the same id changes nothing', async () => {
    const { id, streamId } = await schedule(10 * MINUTE);
    expect(await b.timers.schedule({ id, name: 'test-timer', dueAt: clockA.now(), payload: { streamId: randomUUID() } })).toBe(false);
    const { rows } = await pool.query(`SELECT payload FROM timers WHERE id = $1`, [id]);
    expect(rows).toEqual([{ payload: { streamId } }]);
  });

  it('fires when due by the clock, not before, once, on one of two instances, as the system', async () => {
    const later = await schedule(10 * MINUTE);
    const sooner = await Promise.all(Array.from({ length: 8 }, (_, i) => schedule(MINUTE + i, i % 2 ? a : b)));
    advanceBoth(9 * MINUTE);
    for (const timer of sooner) await fired(timer.id);
    // The firer that fired them looked at `later` with the clock at 9 minutes, and left it.
    expect((await timerRow(later.id)).fired_at).toBeNull();
    advanceBoth(2 * MINUTE);
    await fired(later.id);
    for (const timer of [...sooner, later]) {
      const events = await a.store.readStream(timer.streamId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'TimerFired', metadata: { actor: 'system', causationId: timer.id, correlationId: 'timer-tests' } });
    }
    expect([a, b].filter((t) => t.runner.firesTimers)).toHaveLength(1);
  });

  it('retries a failing timer with backoff, by the clock, and shows its error until it fires', async () => {
    const streamId = randomUUID();
    for (const t of [a, b]) t.timerHandler.failWhen = (payload) => payload.streamId === streamId;
    const { id } = await schedule(0, a, streamId);
    const failed = await waitFor('the timer to fail', async () => ((await timerRow(id)).attempts > 0 ? timerRow(id) : undefined));
    expect(failed).toMatchObject({ fired_at: null, attempts: 1, last_error: `injected failure for ${streamId}` });
    // Next attempt a second later by the clock (clocks stand still: no second attempt meanwhile).
    expect(failed.next_attempt_at.getTime()).toBe(clockA.now().getTime() + 1_000);
    for (const t of [a, b]) t.timerHandler.failWhen = undefined;
    advanceBoth(1_000);
    expect(await fired(id)).toMatchObject({ attempts: 1, last_error: null });
    expect(await a.store.readStream(streamId)).toHaveLength(1);
  });

  it('claims a timer in the command transaction: of two racing commands one commits, and a rolled-back claim leaves the timer due', async () => {
    const store = new TimerStore(pool);
    const runner = a.app.get(CommandRunner);
    const id = randomUUID();
    // Due in a year: the firers leave it to this test.
    const dueAt = new Date(clockA.now().getTime() + 365 * 24 * 60 * MINUTE);
    await store.insert({ id, name: 'test-timer', dueAt, payload: {} });
    const timer: PendingTimer = { id, name: 'test-timer', dueAt, payload: {}, correlationId: null, attempts: 0 };

    // A claim rolled back with its transaction leaves the timer to fire.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await store.claim(client, id, clockA.now())).toBe(true);
      // Held by a running transaction: another claim skips it rather than wait.
      const other = await pool.connect();
      try {
        await other.query('BEGIN');
        expect(await store.claim(other, id, clockA.now())).toBe(false);
        await other.query('ROLLBACK');
      } finally {
        other.release();
      }
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }

    const streams = Array.from({ length: 6 }, () => randomUUID());
    const outcomes = await Promise.allSettled(streams.map((streamId) => appendFired(runner, streamId, timerContext(store, timer, clockA.now()))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(TimerTakenError);
    // And once fired, it stays fired.
    await expect(appendFired(runner, streams[0], timerContext(store, timer, clockA.now()))).rejects.toBeInstanceOf(TimerTakenError);
    const written = await Promise.all(streams.map((streamId) => a.store.readStream(streamId)));
    expect(written.flat()).toHaveLength(1);
    expect((await timerRow(id)).fired_at).not.toBeNull();
  });
});
