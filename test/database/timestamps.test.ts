import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoFromTimestamptz, TIMESTAMPTZ_AS_TEXT } from '../../src/database/timestamps.js';
import { createTestDatabase } from '../support/database.js';

const MIN_MS = Date.UTC(1000, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// The API's times must read the same whether they come from a Date (as pg parses a timestamptz) or from
// PostgreSQL's text rearranged (isoFromTimestamptz): held to that on PostgreSQL's own output, as a column
// and inside JSON, in UTC sessions (the rearranged text) and others (the Date route).
describe('isoFromTimestamptz, on what PostgreSQL writes', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 1 });
  });
  afterAll(() => pool.end());

  /** Microseconds since the epoch as PostgreSQL's text, as a column and in JSON, and as pg's Date makes it. */
  async function written(micros: bigint[], timeZone: string) {
    await pool.query(`SET TIME ZONE '${timeZone}'`);
    const sql = `SELECT t AS "column", to_json(t) #>> '{}' AS "json", t AS "parsed"
                 FROM unnest($1::bigint[]) WITH ORDINALITY AS u(us, n), LATERAL (SELECT to_timestamp(0) + us * interval '1 microsecond' AS t) x ORDER BY n`;
    const asText = await pool.query<{ column: string; json: string }>({ text: sql, values: [micros.map(String)], types: TIMESTAMPTZ_AS_TEXT });
    const asDates = await pool.query<{ parsed: Date }>(sql, [micros.map(String)]);
    return asText.rows.map((row, i) => ({ ...row, expected: asDates.rows[i].parsed.toISOString() }));
  }

  const edges = [
    0n, // the epoch, no fraction
    1_764_505_696_100_000n, // .1
    1_764_505_696_120_000n, // .12
    1_764_505_696_123_000n, // .123
    1_764_505_696_123_400n, // .1234
    1_764_505_696_999_999n, // .999999: cut to .999, never rounded up
    BigInt(MIN_MS) * 1000n,
    BigInt(MAX_MS) * 1000n + 999n,
    BigInt(Date.UTC(999, 11, 31, 23, 59, 59)) * 1000n, // a three-digit year
    BigInt(Date.UTC(10000, 0, 1)) * 1000n, // a five-digit year
    BigInt(Date.UTC(-50, 0, 1)) * 1000n, // BC
  ];

  it.each(['UTC', 'Asia/Kolkata', 'America/St_Johns'])('gives the Date route’s ISO time for every timestamp PostgreSQL writes, in a %s session', async (timeZone) => {
    const micros = [...edges, ...fc.sample(fc.bigInt(BigInt(MIN_MS) * 1000n, BigInt(MAX_MS) * 1000n), { numRuns: 500, seed: 42 })];
    const rows = await written(micros, timeZone);
    for (const { column, json, expected } of rows) {
      expect([column, isoFromTimestamptz(column)]).toEqual([column, expected]);
      expect([json, isoFromTimestamptz(json)]).toEqual([json, expected]);
    }
    if (timeZone === 'UTC') expect(rows[1]).toMatchObject({ column: '2025-11-30 12:28:16.1+00', json: '2025-11-30T12:28:16.1+00:00' });
  });

  it('leaves every other type to pg', async () => {
    const { rows } = await pool.query({ text: `SELECT 1::int AS n, now()::date AS d, '2026-01-01 00:00'::timestamp AS t, 2::bigint AS b`, types: TIMESTAMPTZ_AS_TEXT });
    expect(typeof rows[0].n).toBe('number');
    expect(rows[0].t).toBeInstanceOf(Date);
    expect(rows[0].b).toBe('2');
  });
});
