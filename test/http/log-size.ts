import type pg from 'pg';
import { PG_POOL } from '../../src/database/database.tokens.js';
import type { TestApp } from '../support/app.js';

/** How many events the log holds: a refused request must leave it unchanged. */
export async function logSize(t: TestApp): Promise<number> {
  const { rows } = await t.app.get<pg.Pool>(PG_POOL).query<{ n: string }>('SELECT count(*) AS n FROM events');
  return Number(rows[0].n);
}
