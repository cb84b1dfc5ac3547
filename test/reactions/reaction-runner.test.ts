import 'reflect-metadata';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/reactions/clock.js';
import { createMigratedDatabase } from '../support/database.js';
import { waitFor } from '../projections/projections-test-app.js';
import { checkpointOf, createTestEffectsTable, logEnd, poke, reactionDiagnostics, startReactionsApp, type ReactionsTestApp } from './reactions-test-app.js';

/** Positions of the `Poked` events, in log order. */
async function pokedPositions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ global_position: string }>(`SELECT global_position FROM events WHERE type = 'Poked' ORDER BY transaction_id, global_position`);
  return rows.map((row) => row.global_position);
}

async function effectPositions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ position: string }>(`SELECT position FROM test_effects ORDER BY position`);
  return rows.map((row) => row.position);
}

function numerically(positions: readonly string[]): string[] {
  return [...positions].sort((x, y) => Number(BigInt(x) - BigInt(y)));
}

/**
 * Waits until the reaction's checkpoint is at or past the event at `position` in log order (transaction,
 * then position), as readers go. Not by position alone: of two appends running at once, the one with the
 * lower transaction id can take the higher positions, so a reader that has read everything can stand at
 * a position below the highest (this wait, comparing positions, timed out in CI at 95 of 100, with
 * nothing held back and every event delivered). A timeout says what held the reaction.
 */
async function caughtUpTo(pool: pg.Pool, position: string) {
  const past = async () => {
    const { rows } = await pool.query<{ past: boolean }>(
      `SELECT (c.transaction_id, c.position) >= (e.transaction_id, e.global_position) AS past
       FROM reaction_checkpoints c, events e WHERE c.name = 'test-effects' AND e.global_position = $1`,
      [position],
    );
    return rows[0]?.past;
  };
  try {
    return await waitFor(`the reaction to reach ${position}`, past);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await reactionDiagnostics(pool, 'test-effects')}`, { cause: error });
  }
}

describe('reactions (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let url: string;
  let close: () => Promise<void>;
  let a: ReactionsTestApp;
  let b: ReactionsTestApp;

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestEffectsTable(pool);
    a = await startReactionsApp(url, new ManualClock());
    b = await startReactionsApp(url, new ManualClock());
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await close();
  });

  const deliveries = () => [...a.reaction.deliveries, ...b.reaction.deliveries];

  it('hands every event over once, in log order, on one of two instances, with concurrent writers', async () => {
    const writes = Array.from({ length: 40 }, (_, i) => poke(i % 2 ? a.store : b.store, 1 + (i % 4), i % 5 === 0 ? 'Ignored' : 'Poked'));
    await Promise.all(writes);
    await caughtUpTo(pool, await logEnd(pool));
    const positions = await pokedPositions(pool);
    expect(deliveries()).toEqual(positions);
    expect(await effectPositions(pool)).toEqual(numerically(positions));
    expect([a, b].filter((t) => t.runner.isRunning('test-effects'))).toHaveLength(1);
  });

  it('at least once: a failure after an effect hands the event over again, and the checkpoint waits for it', async () => {
    const active = [a, b].find((t) => t.runner.isRunning('test-effects'))!;
    const before = deliveries().length;
    const failingStream = crypto.randomUUID();
    active.reaction.failAfterEffect = (event) => event.streamId === failingStream;
    const firstOk = await poke(a.store, 1);
    const failing = await poke(a.store, 1, 'Poked', failingStream);
    await poke(a.store, 1);
    const failed = await waitFor('the reaction to fail', async () => {
      const row = await checkpointOf(pool, 'test-effects');
      return row.status === 'failed' && deliveries().filter((p) => p === failing).length >= 2 ? row : undefined;
    });
    // Stopped at the failing event: the event before it is checkpointed, the failing one is not.
    expect(failed).toMatchObject({ position: firstOk, failed_position: failing, last_error: `injected failure at ${failing}` });

    active.reaction.failAfterEffect = undefined;
    const last = await poke(a.store, 1);
    await caughtUpTo(pool, last);
    expect(await checkpointOf(pool, 'test-effects')).toMatchObject({ status: 'running', last_error: null, failed_position: null });
    const handedOver = deliveries().slice(before);
    // The failing event at least twice (its effect each time), every other one once, none skipped.
    expect(handedOver.filter((p) => p !== failing)).toEqual([firstOk, ...(await pokedPositions(pool)).slice(-2)]);
    expect(handedOver.filter((p) => p === failing).length).toBeGreaterThanOrEqual(2);
    // The effect, keyed by the event, happened once.
    expect(await effectPositions(pool)).toEqual(numerically(await pokedPositions(pool)));
  });

  it('resumes from its checkpoint on another instance when the active one stops', async () => {
    const active = [a, b].find((t) => t.runner.isRunning('test-effects'))!;
    const other = active === a ? b : a;
    await active.close();
    const restarted = await startReactionsApp(url, new ManualClock());
    if (active === a) a = restarted;
    else b = restarted;
    const last = await poke(restarted.store, 3);
    await caughtUpTo(pool, last);
    expect(other.runner.isRunning('test-effects') || restarted.runner.isRunning('test-effects')).toBe(true);
    expect(await effectPositions(pool)).toEqual(numerically(await pokedPositions(pool)));
  });
});
