import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../src/database/array-literal.js';
import { createTestDatabase } from '../support/database.js';

// The literal is what the event store's appends and every read-model batch send PostgreSQL: whatever text
// an event or a row holds must come back from the server exactly as it went in.
describe('arrayLiteral, read back by PostgreSQL', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 2 });
  });
  afterAll(() => pool.end());

  const roundTrip = async (items: unknown[], sqlType: string) =>
    (await pool.query<{ a: unknown[] }>(`SELECT $1::${sqlType}[] AS a`, [arrayLiteral(items)])).rows[0].a;

  it('keeps any text as it is: quotes, backslashes, commas, braces, spaces, NULL as a word, the empty string, non-ASCII', async () => {
    const texts = ['plain', 'say "hi"', 'back\\slash', '\\"both\\"', 'a,b', '{x}', '  padded  ', 'NULL', 'null', '', 'é ñ 😀', 'line\nbreak\ttab'];
    expect(await roundTrip(texts, 'text')).toEqual(texts);
  });

  it('writes null and undefined as SQL NULL, and the string "NULL" as text', async () => {
    expect(await roundTrip([null, 'NULL', undefined, 'x'], 'text')).toEqual([null, 'NULL', null, 'x']);
  });

  it('carries JSON with escapes into jsonb unchanged', async () => {
    const values = [{ quote: 'say "hi"', path: 'C:\\dir', nested: { list: [1, 'two', null] } }, 'a "string"', 42, null];
    const back = await roundTrip(values.map((v) => JSON.stringify(v)), 'jsonb');
    expect(back).toEqual(values);
  });

  it('writes numbers, bigints and booleans for their columns', async () => {
    expect(await roundTrip([0, -1, 2147483647], 'int')).toEqual([0, -1, 2147483647]);
    expect(await roundTrip([9007199254740993n, -5n], 'bigint')).toEqual(['9007199254740993', '-5']);
    expect(await roundTrip([true, false, null], 'boolean')).toEqual([true, false, null]);
    expect(await roundTrip([1.5, -0.25], 'float8')).toEqual([1.5, -0.25]);
  });

  it('gives an empty array for no items', async () => {
    expect(await roundTrip([], 'uuid')).toEqual([]);
  });

  it('refuses what it could only guess at, rather than send it', () => {
    expect(() => arrayLiteral([new Date(0)])).toThrow(/Date/);
    expect(() => arrayLiteral([{ a: 1 }])).toThrow(/Object/);
    expect(() => arrayLiteral([Number.NaN])).toThrow(/finite/);
  });
});
