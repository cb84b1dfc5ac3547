import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './database.tokens.js';

/**
 * A statement's SQL. Named, pg prepares it once per connection and later runs skip parsing and planning:
 * for statements whose best plan does not depend on the values, such as a primary-key lookup. A search
 * whose selectivity depends on its values (ILIKE, a status or a date range) stays a plain string, so that
 * each run is planned for its values. A named statement lists its columns, never `*`: PostgreSQL refuses
 * to run a prepared statement whose result columns have changed since.
 */
export type Statement = string | { readonly name: string; readonly text: string };

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
}
