import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import type { NewEvent, StoredEvent } from '../../src/event-store/event.js';
import { projectionContext } from '../../src/projections/batch-applier.js';
import type { Projection } from '../../src/projections/projection.js';

/** Stored events as the log would hand them over: positions in order, versions counted per stream. */
export class TestLog {
  private position = 0;
  private readonly versions = new Map<string, number>();

  /** The next event of `streamId`. `occurredAt` defaults to a fixed clock that ticks a second per event. */
  event<E extends NewEvent>(streamId: string, streamType: string, event: E, occurredAt?: string): StoredEvent<E> {
    const version = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, version);
    this.position += 1;
    return {
      position: String(this.position),
      eventId: randomUUID(),
      streamId,
      streamType,
      version,
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      occurredAt: occurredAt ?? new Date(Date.UTC(2026, 10, 26, 9, 0, this.position)).toISOString(),
      data: event.data,
      metadata: { correlationId: randomUUID(), actor: 'tester' },
      transactionId: String(1000 + this.position),
    };
  }
}

/** How the runner applies a batch: through the per-event handlers, or the projection's set-based `applyBatch`. */
export type ApplyVia = 'handlers' | 'applyBatch';

export interface ApplyOptions {
  /** Maps logical to physical table names, as a rebuild does. */
  readonly table?: (logicalName: string) => string;
  readonly via?: ApplyVia;
}

/**
 * Applies events to a projection as the runner does, all in one transaction: each through its handler
 * (types it does not handle are passed over), or (`via: 'applyBatch'`) those it handles in one applyBatch.
 */
export async function applyEvents(pool: pg.Pool, projection: Projection, events: readonly StoredEvent[], options: ApplyOptions = {}): Promise<void> {
  const { table = (name: string) => `"${name}"`, via = 'handlers' } = options;
  const client = await pool.connect();
  const { ctx, flush } = projectionContext(client, table);
  try {
    await client.query('BEGIN');
    if (via === 'applyBatch') {
      if (!projection.applyBatch) throw new Error(`projection ${projection.name} has no applyBatch`);
      await projection.applyBatch(
        events.filter((event) => projection.handlers[event.type] !== undefined),
        ctx,
      );
    } else {
      for (const event of events) {
        await projection.handlers[event.type]?.(event, ctx);
      }
    }
    await flush();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** A TypeORM DataSource on the test database, for the query services. */
export async function dataSourceFor(url: string, entities: Array<new () => object> = []): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', url, entities });
  return dataSource.initialize();
}

export const testConfig: AppConfig = loadConfig({ NODE_ENV: 'test', STORE_CURRENCY: 'EUR' });
