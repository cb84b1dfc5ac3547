import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppendBroadcast } from '../../src/projections/append-broadcast.js';
import { ListenSession } from '../../src/projections/listen-session.js';
import { createTestDatabase } from '../support/database.js';

/**
 * An instance wakes its own readers in process after each append; its NOTIFY is for the other instances.
 * Hearing it back would wake every reader of the instance a second time for the same events.
 */
describe('append notifications', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase() });
  });
  afterAll(() => pool.end());

  it("reach the other instances' listeners, not the sender's own", async () => {
    const heard: Record<'a' | 'b', (string | undefined)[]> = { a: [], b: [] };
    const listen = (id: 'a' | 'b') =>
      new ListenSession(pool.options, { onNotify: (channel, payload) => void (channel && heard[id].push(payload)), onLost: () => undefined }, undefined, `instance-${id}`);
    const [a, b] = [listen('a'), listen('b')];
    await Promise.all([a.open(), b.open()]);
    try {
      const fromA = new AppendBroadcast(pool, 'instance-a');
      const fromB = new AppendBroadcast(pool, 'instance-b');
      fromA.appended();
      await expect.poll(() => heard.b, { timeout: 5_000 }).toEqual(['instance-a']);
      // Notifications reach a listener in commit order: once a has heard b's, it has had its own, if ever.
      fromB.appended();
      await expect.poll(() => heard.a, { timeout: 5_000 }).toContain('instance-b');
      expect(heard).toEqual({ a: ['instance-b'], b: ['instance-a'] });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
