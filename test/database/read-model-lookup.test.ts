import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelDb, uuidKey } from '../../src/database/read-model-db.js';
import { createTestDatabase } from '../support/database.js';

interface Row {
  id: string;
  name: string;
}

// ReadModelDb.lookup shares statements between concurrent reads by key: what a caller relies on is that
// each call still gets its own row (or null), fresh, and what the service relies on is fewer statements.
describe('ReadModelDb.lookup, on PostgreSQL', () => {
  let pool: pg.Pool;
  /** The statements the pool was given, as the values they carried. */
  const sent: unknown[][] = [];
  let find: (key: string) => Promise<Row | null>;
  /** The same lookup with no key check: what a statement with a key PostgreSQL refuses does. */
  let findUnchecked: (key: string) => Promise<Row | null>;
  const ids = Array.from({ length: 150 }, () => randomUUID());

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 4 });
    await pool.query('CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL)');
    await pool.query('INSERT INTO things SELECT id, $2 || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)', [ids, 'thing ']);
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    // The real pool, watched: every statement still reaches PostgreSQL.
    (pool as unknown as { query: typeof query }).query = (...args) => {
      sent.push(typeof args[0] === 'string' ? (args[1] as unknown[]) : ((args[0] as { values?: unknown[] }).values ?? []));
      return query(...args);
    };
    const statement = { name: 'test.find-things', text: 'SELECT id, name FROM things WHERE id = ANY($1::uuid[])' };
    find = new ReadModelDb(pool).lookup<Row>(statement, (row) => row.id, uuidKey);
    findUnchecked = new ReadModelDb(pool).lookup<Row>(statement, (row) => row.id, (key) => key);
  });
  afterAll(() => pool.end());

  it('answers calls made together with one statement, each with its own row, null for a key with none', async () => {
    sent.length = 0;
    const unknown = randomUUID();
    const asked = [ids[3], ids[0], unknown, ids[7], ids[3]];
    const rows = await Promise.all(asked.map((id) => find(id)));
    expect(rows).toEqual([
      { id: ids[3], name: 'thing 4' },
      { id: ids[0], name: 'thing 1' },
      null,
      { id: ids[7], name: 'thing 8' },
      { id: ids[3], name: 'thing 4' },
    ]);
    expect(sent).toEqual([[asked]]);
  });

  it('puts at most 100 keys in a statement', async () => {
    sent.length = 0;
    const rows = await Promise.all(ids.map((id) => find(id)));
    expect(rows.map((row) => row?.id)).toEqual(ids);
    expect(sent.map(([keys]) => (keys as string[]).length)).toEqual([100, 50]);
  });

  it('answers a call alone, and keeps nothing: a later call reads the row as it is then', async () => {
    sent.length = 0;
    expect(await find(ids[9])).toEqual({ id: ids[9], name: 'thing 10' });
    await pool.query('UPDATE things SET name = $2 WHERE id = $1', [ids[9], 'renamed']);
    expect(await find(ids[9])).toEqual({ id: ids[9], name: 'renamed' });
    expect(sent).toHaveLength(3);
  });

  it('finds a key asked for in any case; a key that is not one is null, sent to no statement, and fails no other call', async () => {
    sent.length = 0;
    const rows = await Promise.all([find(ids[2].toUpperCase()), find('not-a-uuid'), find(ids[4])]);
    expect(rows).toEqual([{ id: ids[2], name: 'thing 3' }, null, { id: ids[4], name: 'thing 5' }]);
    expect(sent).toEqual([[[ids[2], ids[4]]]]);
  });

  it("fails every call of a statement that fails, and the next calls' statement runs as usual", async () => {
    // Without toKey's check, a key PostgreSQL refuses fails the statement it shares.
    const together = await Promise.allSettled([findUnchecked(ids[1]), findUnchecked('not-a-uuid')]);
    expect(together.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((together[0] as PromiseRejectedResult).reason).toMatchObject({ code: '22P02' });
    expect(await findUnchecked(ids[1])).toEqual({ id: ids[1], name: 'thing 2' });
  });
});
