import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyPurge, PURGE_BATCH } from '../../src/http/idempotency-purge.js';
import { useTestApp } from '../support/app.js';

const HOUR = 3_600_000;

describe('purge of expired idempotency records', () => {
  const t = useTestApp();
  let pool: pg.Pool;
  let purge: IdempotencyPurge;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: t.databaseUrl, max: 4 });
    purge = t.app.get(IdempotencyPurge);
  });
  afterAll(() => pool?.end());

  const keysOf = async (caller: string) =>
    (await pool.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE caller = $1 ORDER BY key', [caller])).rows.map((r) => r.key);
  const createdAt = async (caller: string, key: string) =>
    (await pool.query<{ created_at: Date }>('SELECT created_at FROM idempotency_keys WHERE caller = $1 AND key = $2', [caller, key])).rows[0].created_at;

  it('deletes a record once it is older than 24 h and keeps a fresh one', async () => {
    const alice = t.token('purge-alice');
    await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'old').send({}).expect(201);
    const oldAt = await createdAt('purge-alice', 'old');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'fresh').send({}).expect(201);
    const freshAt = await createdAt('purge-alice', 'fresh');

    // Just short of a day after the first: nothing has expired yet.
    await purge.purge(new Date(oldAt.getTime() + 24 * HOUR - 1));
    expect(await keysOf('purge-alice')).toEqual(['fresh', 'old']);
    // A day after the first (the database keeps microseconds, a Date milliseconds), before the second's.
    expect(freshAt.getTime()).toBeGreaterThan(oldAt.getTime() + 1);
    await purge.purge(new Date(oldAt.getTime() + 24 * HOUR + 1));
    expect(await keysOf('purge-alice')).toEqual(['fresh']);
    // The purged key is free again: a new request with it is a new command, not a replay.
    const again = await t.http().post('/carts').set('Authorization', alice).set('Idempotency-Key', 'old').send({}).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('purges a backlog in bounded batches, several instances at once without doing anything twice', async () => {
    const expired = 2 * PURGE_BATCH + 500;
    await pool.query(
      `INSERT INTO idempotency_keys (caller, key, request_hash, status_code, response, created_at)
       SELECT 'purge-backlog', 'k' || g, 'h', 201, '{}', now() - interval '3 days' FROM generate_series(1, $1::int) g`,
      [expired],
    );
    await pool.query(
      `INSERT INTO idempotency_keys (caller, key, request_hash, status_code, response) VALUES ('purge-backlog', 'today', 'h', 201, '{}')`,
    );
    const other = new IdempotencyPurge(pool); // a second instance of the service
    const [a, b] = await Promise.all([purge.purge(), other.purge()]);
    expect(a + b).toBe(expired);
    expect(await keysOf('purge-backlog')).toEqual(['today']);
  });
});
