import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_POOL } from '../../src/database/database.tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('the database pool', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_IDLE_TIMEOUT_MS: '150' });
  });
  afterAll(() => t?.close());

  it('closes a connection once it has been idle for DATABASE_POOL_IDLE_TIMEOUT_MS', async () => {
    const pool = t.app.get<pg.Pool>(PG_POOL);
    expect(pool.options.idleTimeoutMillis).toBe(150);
    const held = await Promise.all(Array.from({ length: 3 }, () => pool.connect()));
    const ended = Promise.all(held.map((client) => once(client, 'end')));
    const releasedAt = Date.now();
    held.forEach((client) => client.release());
    // pg's default (10 s) would keep them open far longer than this test waits.
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 5 s')), 5_000))]);
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(140);
  });
});
