import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogCheckpoint } from '../../src/event-store/event.js';
import { CheckpointStore } from '../../src/projections/checkpoint-store.js';
import { lockKey } from '../../src/projections/projection-locks.js';
import { createMigratedDatabase } from '../support/database.js';

/** Skips of several projections asked for in one turn: one statement, each its own outcome. */
describe('checkpoint skips (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let checkpoints: CheckpointStore;
  const names = ['skip_a', 'skip_b', 'skip_paused', 'skip_moved'];
  const at = (n: number): LogCheckpoint => ({ transactionId: String(1000 + n), position: String(n) });
  const skip = (name: string, from: LogCheckpoint, to: LogCheckpoint) => checkpoints.skip(name, from, to, lockKey('batch', name).args);

  /** Statements sent through the store's pool. */
  let queries = 0;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
    const counting = new Proxy(pool, {
      get: (target, property) => (property === 'query' ? (...args: Parameters<pg.Pool['query']>) => (queries++, target.query(...args)) : Reflect.get(target, property)),
    });
    checkpoints = new CheckpointStore(counting);
    await checkpoints.ensure(names);
    await pool.query(`UPDATE projection_checkpoints SET transaction_id = '1001', position = 1 WHERE name = ANY($1)`, [names]);
  });
  afterAll(async () => close());

  async function positions(): Promise<Record<string, string>> {
    const rows = await checkpoints.readMany(names);
    return Object.fromEntries(names.map((name) => [name, rows.get(name)!.checkpoint.position]));
  }

  it('moves each checkpoint that is where its skip began, in one statement, and leaves paused and moved ones alone', async () => {
    const pauser = await pool.connect();
    try {
      await pauser.query('SELECT pg_advisory_lock($1, $2)', lockKey('batch', 'skip_paused').args);
      await pool.query(`UPDATE projection_checkpoints SET transaction_id = '1002', position = 2 WHERE name = 'skip_moved'`);
      const statements = queries;

      const outcomes = await Promise.all([skip('skip_a', at(1), at(5)), skip('skip_b', at(1), at(6)), skip('skip_paused', at(1), at(5)), skip('skip_moved', at(1), at(5))]);

      expect(queries - statements).toBe(1);
      expect(outcomes).toEqual(['applied', 'applied', 'paused', 'moved']);
      expect(await positions()).toEqual({ skip_a: '5', skip_b: '6', skip_paused: '1', skip_moved: '2' });
    } finally {
      await pauser.query('SELECT pg_advisory_unlock_all()');
      pauser.release();
    }
    // The batch locks were held for the statement only.
    expect(await skip('skip_paused', at(1), at(7))).toBe('applied');
  });

  it('skips of one projection that overlap go out one after the other', async () => {
    const first = skip('skip_a', at(5), at(8));
    const second = skip('skip_a', at(8), at(9));
    expect(await Promise.all([first, second])).toEqual(['applied', 'applied']);
    expect((await positions()).skip_a).toBe('9');
  });
});

