import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import DataLoader from 'dataloader';
import type pg from 'pg';
import { PG_POOL } from './database.tokens.js';

/**
 * A statement's SQL. Named, pg prepares it once per connection and later runs skip parsing and planning:
 * for statements whose best plan does not depend on the values, such as a primary-key lookup, or GET
 * /orders' filters (each combination walks one index whatever its values; a test holds its generic plans
 * to it). A search whose best plan depends on its values (ILIKE) stays a plain string, so that each run is
 * planned for its values. A named statement lists its columns, never `*`: PostgreSQL refuses to run a
 * prepared statement whose result columns have changed since. `types` replaces pg's parsers for this
 * statement's columns (TIMESTAMPTZ_AS_TEXT).
 */
export type Statement = string | { readonly name?: string; readonly text: string; readonly types?: pg.CustomTypesConfig };

/** At most this many keys go in one lookup statement; more wait for the next one. */
const LOOKUP_BATCH_MAX = 100;

/** A lookup's key from a uuid: as PostgreSQL writes one (lower case), or null for a string that is none. */
export const uuidKey = (key: string): string | null => (isUUID(key) ? key.toLowerCase() : null);

/**
 * How read-model queries reach PostgreSQL: parameterised SQL on the service's pg pool (the one under
 * TypeORM's DataSource), rows typed by the caller, mapped to DTOs by hand. TypeORM owns the schema (its
 * migrations); the queries skip its query builder and entity mapping, which cost more CPU than the
 * queries themselves (bench/DATA-ACCESS.md has the figures).
 */
@Injectable()
export class ReadModelDb {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Every row, typed as the SELECT list names them (pg hands bigint over as a string). */
  async query<T extends pg.QueryResultRow>(statement: Statement, values: readonly unknown[] = []): Promise<T[]> {
    const sql = typeof statement === 'string' ? { text: statement } : statement;
    return (await this.pool.query<T>({ ...sql, values: [...values] })).rows;
  }

  /** The first row, or null. */
  async one<T extends pg.QueryResultRow>(statement: Statement, values: readonly unknown[] = []): Promise<T | null> {
    return (await this.query<T>(statement, values))[0] ?? null;
  }

  /**
   * A lookup by key whose concurrent calls share statements: the keys asked for while the event loop
   * handles one round of I/O go to PostgreSQL together, up to 100 in one statement, when that round is
   * done (setImmediate). `statement` takes them all as `$1`, an array (`WHERE id = ANY($1::uuid[])`);
   * `keyOf` names each row's key, and `toKey` turns what a caller asks for into that form, or into null
   * for what cannot be a key (answered null, no statement): a key PostgreSQL refused would fail the
   * statement for every call in it (`uuidKey`). Nothing is cached: every call reads rows as they are once
   * its statement runs, after the call.
   *
   * Under load, a primary-key read per request is mostly the round trip's fixed cost, in the service (the
   * send, which wakes PostgreSQL, and the answer's framing) and in PostgreSQL (bind, execute, sync). Under
   * 50 concurrent GET /orders/:id, 13-14 reads shared a statement, and the CPU per request fell by half in
   * the service and by three quarters in PostgreSQL (`npm run bench -- --profile`, two runs: 0.14-0.16
   * and 0.04 ms, from 0.32 and 0.16). Alone, a call waits for nothing but the end of its own round of I/O.
   */
  lookup<T extends pg.QueryResultRow>(
    statement: Statement,
    keyOf: (row: T) => string,
    toKey: (key: string) => string | null,
  ): (key: string) => Promise<T | null> {
    const loader = new DataLoader<string, T | null>(
      async (keys) => {
        const rows = await this.query<T>(statement, [keys]);
        const byKey = new Map(rows.map((row) => [keyOf(row), row]));
        return keys.map((key) => byKey.get(key) ?? null);
      },
      { cache: false, maxBatchSize: LOOKUP_BATCH_MAX, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
    return async (key) => {
      const normal = toKey(key);
      return normal === null ? null : loader.load(normal);
    };
  }
}
