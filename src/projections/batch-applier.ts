import pg from 'pg';
import type { LogCheckpoint, StoredEvent } from '../event-store/event.js';
import { checkpointOfEvent, type CheckpointStore } from './checkpoint-store.js';
import type { Projection, ProjectionContext } from './projection.js';
import { lockKey } from './projection-locks.js';

/** Suffix of a read-model table's shadow while a rebuild fills it. */
export const SHADOW_SUFFIX = '__rebuild';

/** Where a batch goes: the live tables and checkpoint, or a rebuild's shadow tables and checkpoint. */
export type BatchTarget = 'live' | 'rebuild';

export type BatchOutcome =
  | { readonly kind: 'applied'; readonly checkpoint: LogCheckpoint }
  /** A rebuild holds the projection paused: nothing was written. */
  | { readonly kind: 'paused' }
  /** The checkpoint was no longer where the batch started: nothing was written. */
  | { readonly kind: 'moved' };

/** A projection's handler threw: the batch was rolled back. */
export class HandlerFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly event: StoredEvent,
    /** Index of the failing event in its batch. */
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`projection ${projection} failed on ${event.type} at position ${event.position}: ${describeError(cause)}`);
  }
}

export function physicalTable(logicalName: string, target: BatchTarget): string {
  return target === 'live' ? logicalName : `${logicalName}${SHADOW_SUFFIX}`;
}

/**
 * Applies `events` (read from the log after `from`, before this transaction opened, so that our xid never
 * holds back the horizon we read under) and moves the checkpoint past the last of them, all in one
 * transaction. Events of types the projection does not handle are passed over, but still advance it.
 */
export async function applyBatch(
  pool: pg.Pool,
  checkpoints: CheckpointStore,
  projection: Projection,
  events: readonly StoredEvent[],
  from: LogCheckpoint,
  target: BatchTarget,
): Promise<BatchOutcome> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    if (target === 'live') {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', lockKey('batch', projection.name).args);
      if (!rows[0].ok) {
        await client.query('ROLLBACK');
        return { kind: 'paused' };
      }
    }
    const ctx = contextFor(client, projection, target);
    for (const [index, event] of events.entries()) {
      const handler = projection.handlers[event.type];
      if (!handler) continue;
      try {
        await handler(event, ctx);
      } catch (error) {
        throw new HandlerFailedError(projection.name, event, index, error);
      }
    }
    const to = checkpointOfEvent(events[events.length - 1]);
    const advanced =
      target === 'live'
        ? await checkpoints.advance(client, projection.name, from, to)
        : await checkpoints.advanceRebuild(client, projection.name, from, to);
    if (!advanced) {
      await client.query('ROLLBACK');
      return { kind: 'moved' };
    }
    await client.query('COMMIT');
    return { kind: 'applied', checkpoint: to };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

function contextFor(client: pg.PoolClient, projection: Projection, target: BatchTarget): ProjectionContext {
  return {
    client,
    table(logicalName) {
      if (!projection.tables.includes(logicalName)) {
        throw new Error(`projection ${projection.name} does not own table ${logicalName} (its tables: ${projection.tables.join(', ')})`);
      }
      return pg.escapeIdentifier(physicalTable(logicalName, target));
    },
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
