import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../src/projections/projection.js';

/**
 * A test-only read model: events per stream, and every applied position under a UNIQUE constraint, so an
 * event applied twice fails loudly instead of being counted twice. `Ignored` events have no handler.
 */
@ProjectionProvider()
@Injectable()
export class TestCountsProjection implements Projection {
  readonly name = 'test_counts';
  readonly tables = ['test_counts', 'test_applied'];
  /** Handler calls so far (including calls in batches that rolled back). */
  calls = 0;
  /** Failure injection: the handler throws for events this matches. */
  failWhen: ((event: StoredEvent) => boolean) | undefined;
  /** Awaited by the handler when it writes into a rebuild's shadow tables. */
  shadowGate: ((event: StoredEvent) => Promise<void>) | undefined;

  readonly handlers: Projection['handlers'] = {
    Counted: async (event, ctx) => {
      this.calls++;
      if (this.failWhen?.(event)) throw new Error(`injected failure at ${event.position}`);
      if (this.shadowGate && ctx.table('test_counts') !== '"test_counts"') await this.shadowGate(event);
      await ctx.client.query(
        `INSERT INTO ${ctx.table('test_counts')} AS c (stream_id, count) VALUES ($1, 1)
         ON CONFLICT (stream_id) DO UPDATE SET count = c.count + 1`,
        [event.streamId],
      );
      await ctx.client.query(`INSERT INTO ${ctx.table('test_applied')} (position, stream_id) VALUES ($1, $2)`, [event.position, event.streamId]);
    },
  };
}

/** A second projection, to show that one failing projection does not stop the others. */
@ProjectionProvider()
@Injectable()
export class TestTypesProjection implements Projection {
  readonly name = 'test_types';
  readonly tables = ['test_types'];

  readonly handlers: Projection['handlers'] = {
    Counted: (event, ctx) => this.count(event, ctx.client, ctx.table('test_types')),
    Ignored: (event, ctx) => this.count(event, ctx.client, ctx.table('test_types')),
  };

  private async count(event: StoredEvent, client: pg.PoolClient, table: string): Promise<void> {
    await client.query(`INSERT INTO ${table} AS t (type, count) VALUES ($1, 1) ON CONFLICT (type) DO UPDATE SET count = t.count + 1`, [event.type]);
  }
}

/**
 * A projection with a set-based `applyBatch` beside its handler: one row per applied `Counted` event,
 * under a UNIQUE position, so an event applied twice fails loudly.
 */
@ProjectionProvider()
@Injectable()
export class TestBatchedProjection implements Projection {
  readonly name = 'test_batched';
  readonly tables = ['test_batched'];
  handlerCalls = 0;
  batchCalls = 0;
  /** Failure injection: both the handler and applyBatch throw for events this matches. */
  failWhen: ((event: StoredEvent) => boolean) | undefined;
  /** applyBatch fails on every batch, where the handler would not: it throws, or its deferred write fails in PostgreSQL. */
  batchBroken: false | 'throws' | 'deferred write fails' = false;

  readonly handlers: Projection['handlers'] = {
    Counted: async (event, ctx) => {
      this.handlerCalls++;
      if (this.failWhen?.(event)) throw new Error(`injected failure at ${event.position}`);
      await ctx.client.query(`INSERT INTO ${ctx.table('test_batched')} (position, stream_id) VALUES ($1, $2)`, [event.position, event.streamId]);
    },
  };

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    this.batchCalls++;
    if (this.batchBroken === 'throws') throw new Error('applyBatch is broken');
    // Like a real set-based pass, it cannot tell which event made it fail.
    if (events.some((event) => this.failWhen?.(event))) throw new Error('injected failure somewhere in the batch');
    // Deferred, as the real projections' last writes are: the commit goes out right behind it.
    ctx.defer(`INSERT INTO ${ctx.table('test_batched')} (position, stream_id) SELECT * FROM unnest($1::bigint[], $2::uuid[])`, [
      events.map((event) => event.position),
      events.map((event) => event.streamId),
    ]);
    if (this.batchBroken === 'deferred write fails') ctx.defer(`SELECT 1 / 0`);
  }
}

export async function createTestReadModels(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS test_counts (stream_id uuid PRIMARY KEY, count integer NOT NULL CHECK (count > 0));
    CREATE TABLE IF NOT EXISTS test_applied (position bigint NOT NULL, stream_id uuid NOT NULL, CONSTRAINT test_applied_position_key UNIQUE (position));
    CREATE INDEX IF NOT EXISTS test_applied_stream_idx ON test_applied (stream_id);
    CREATE TABLE IF NOT EXISTS test_types (type text PRIMARY KEY, count integer NOT NULL);
    CREATE TABLE IF NOT EXISTS test_batched (position bigint NOT NULL, stream_id uuid NOT NULL, CONSTRAINT test_batched_position_key UNIQUE (position));
  `);
}

export const testMetadata = { correlationId: 'projection-tests', actor: 'tester' };

/** Appends `count` events (`Counted` unless told otherwise) to a stream in one transaction. */
export async function appendEvents(store: EventStore, streamId: string, count: number, type: 'Counted' | 'Ignored' = 'Counted'): Promise<string> {
  const events = Array.from({ length: count }, (_, i) => ({ type, data: { i } }));
  const result = await store.append([{ streamId, streamType: 'test', expectedVersion: 'any', events }], testMetadata);
  return result.lastPosition;
}

/** What test_counts must hold: a fresh fold of the log. */
export async function foldedCounts(pool: pg.Pool): Promise<Array<{ stream_id: string; count: number }>> {
  const { rows } = await pool.query(`SELECT stream_id, count(*)::int AS count FROM events WHERE type = 'Counted' GROUP BY stream_id ORDER BY stream_id`);
  return rows;
}

export async function projectedCounts(pool: pg.Pool): Promise<Array<{ stream_id: string; count: number }>> {
  const { rows } = await pool.query(`SELECT stream_id, count FROM test_counts ORDER BY stream_id`);
  return rows;
}

export async function foldedTypes(pool: pg.Pool): Promise<Array<{ type: string; count: number }>> {
  const { rows } = await pool.query(`SELECT type, count(*)::int AS count FROM events GROUP BY type ORDER BY type`);
  return rows;
}

export async function projectedTypes(pool: pg.Pool): Promise<Array<{ type: string; count: number }>> {
  const { rows } = await pool.query(`SELECT type, count FROM test_types ORDER BY type`);
  return rows;
}

/** test_applied must hold exactly the positions of the Counted events. */
export async function appliedMatchesLog(pool: pg.Pool): Promise<{ missing: number; extra: number }> {
  const { rows } = await pool.query<{ missing: number; extra: number }>(`
    SELECT (SELECT count(*)::int FROM (SELECT global_position FROM events WHERE type = 'Counted' EXCEPT SELECT position FROM test_applied) m) AS missing,
           (SELECT count(*)::int FROM (SELECT position FROM test_applied EXCEPT SELECT global_position FROM events WHERE type = 'Counted') x) AS extra`);
  return rows[0];
}
