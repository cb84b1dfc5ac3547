import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { LogCheckpoint, StoredEvent } from '../event-store/event.js';
import { checkpointOfEvent, type CheckpointStore } from './checkpoint-store.js';
import type { Projection, ProjectionContext } from './projection.js';
import { lockKey } from './projection-locks.js';

const logger = new Logger('ProjectionRunner');

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
 * Below this many handled events a batch goes through the handlers even when the projection has
 * `applyBatch`: a set-based pass costs about two round trips whatever its size (load the rows, write
 * them back), the handlers one per event, and a live applier mostly sees batches of one or two events.
 */
export const SET_BASED_MIN_EVENTS = 3;

/**
 * Applies `events` (read from the log after `from`, before this transaction opened, so that our xid never
 * holds back the horizon we read under) and moves the checkpoint past the last of them, all in one
 * transaction. Events of types the projection does not handle are passed over, but still advance it.
 *
 * Through the projection's `applyBatch` when it has one and the batch is large enough; if that throws,
 * the transaction is rolled back and the batch applied again through the handlers, one event at a time,
 * so that a failure names its event (HandlerFailedError) as it always has.
 */
export async function applyBatch(
  pool: pg.Pool,
  checkpoints: CheckpointStore,
  projection: Projection,
  events: readonly StoredEvent[],
  from: LogCheckpoint,
  target: BatchTarget,
): Promise<BatchOutcome> {
  const handled = events.filter((event) => projection.handlers[event.type] !== undefined);
  if (handled.length === 0 && target === 'live') {
    const to = checkpointOfEvent(events[events.length - 1]);
    const kind = await checkpoints.skip(projection.name, from, to, lockKey('batch', projection.name).args);
    return kind === 'applied' ? { kind, checkpoint: to } : { kind };
  }
  let setBasedFailure: { readonly cause: unknown } | undefined;
  if (projection.applyBatch && handled.length >= SET_BASED_MIN_EVENTS) {
    const outcome = await inBatchTransaction(pool, checkpoints, projection, events, from, target, async (ctx) => {
      try {
        await projection.applyBatch?.(handled, ctx);
      } catch (error) {
        throw new SetBasedFailedError(error);
      }
    }).catch((error: unknown) => {
      if (!(error instanceof SetBasedFailedError)) throw error;
      setBasedFailure = error;
      return undefined;
    });
    if (outcome) return outcome;
  }
  const outcome = await inBatchTransaction(pool, checkpoints, projection, events, from, target, async (ctx) => {
    for (const [index, event] of events.entries()) {
      const handler = projection.handlers[event.type];
      if (!handler) continue;
      try {
        await handler(event, ctx);
      } catch (error) {
        throw new HandlerFailedError(projection.name, event, index, error);
      }
    }
  });
  if (setBasedFailure) {
    // The handlers succeeded where applyBatch failed: a transient error, or applyBatch refusing (or failing
    // on) input the handlers take. Correct either way, but slower; worth knowing.
    logger.warn(`projection ${projection.name}: applyBatch failed (${describeError(setBasedFailure.cause)}); applied the batch event by event instead`);
  }
  return outcome;
}

/** `write` and the checkpoint's move, in one transaction (for a live batch: unless a rebuild holds it paused). */
async function inBatchTransaction(
  pool: pg.Pool,
  checkpoints: CheckpointStore,
  projection: Projection,
  events: readonly StoredEvent[],
  from: LogCheckpoint,
  target: BatchTarget,
  write: (ctx: ProjectionContext) => Promise<void>,
): Promise<BatchOutcome> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    if (target === 'live') {
      if (!(await beginLiveBatch(client, projection))) return { kind: 'paused' };
    } else {
      // A rebuild's batches need not wait for the WAL flush: a crash can only lose the last few of them, with
      // their checkpoint, and the swap (a synchronous commit) flushes them all before the shadows go live.
      await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    }
    await write(contextFor(client, projection, target));
    const to = checkpointOfEvent(events[events.length - 1]);
    if (target === 'live') {
      if (await checkpoints.advanceAndCommit(client, projection.name, from, to)) return { kind: 'applied', checkpoint: to };
      await client.query('ROLLBACK');
      return { kind: 'moved' };
    }
    if (!(await checkpoints.advanceRebuild(client, projection.name, from, to))) {
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

/**
 * Opens a live batch's transaction and takes the projection's batch lock, in one round trip (a live
 * batch's latency is its round trips on a loaded machine); false, with the transaction rolled back, when
 * a rebuild or a verify holds the projection paused.
 *
 * The commit need not wait for the WAL flush either: a crash can lose only the last batches together
 * with their checkpoint (one transaction), and the projection applies them again from the durable log.
 * Waiting for the flush would put the fsync of every concurrent append in the way of the read model.
 */
async function beginLiveBatch(client: pg.PoolClient, projection: Projection): Promise<boolean> {
  const [classKey, objKey] = lockKey('batch', projection.name).args;
  const results = (await client.query(
    `BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_try_advisory_xact_lock(${classKey | 0}, ${objKey | 0}) AS ok`,
  )) as unknown as pg.QueryResult<{ ok: boolean }>[];
  if (results[2].rows[0].ok) return true;
  await client.query('ROLLBACK');
  return false;
}

/** A projection's applyBatch threw: its transaction was rolled back, and the handlers will have their go. */
class SetBasedFailedError extends Error {
  constructor(override readonly cause: unknown) {
    super(describeError(cause));
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
