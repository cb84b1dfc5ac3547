import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { LogCheckpoint, StoredEvent } from '../event-store/event.js';
import type { LogBatch } from '../event-store/event-store.js';
import { checkpointOfEvent, type CheckpointStore } from './checkpoint-store.js';
import type { Projection, ProjectionContext } from './projection.js';
import { lockKey } from './projection-locks.js';
import type { BatchRows, RowCache } from './row-cache.js';

const logger = new Logger('ProjectionRunner');

/** Suffix of a read-model table's shadow while a rebuild fills it. */
export const SHADOW_SUFFIX = '__rebuild';

/** Where a batch goes: the live tables and checkpoint, or a rebuild's shadow tables and checkpoint. */
export type BatchTarget = 'live' | 'rebuild';

export type BatchOutcome =
  /** `next`: the log after `checkpoint`, read right behind the commit when `readNext` was given. */
  | { readonly kind: 'applied'; readonly checkpoint: LogCheckpoint; readonly next?: LogBatch }
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
 * Reads the log after `after` on `client` (see inBatchTransaction). Given, a live batch on a pipelined
 * connection sends it right behind its commit: the applier's next read then costs no round trip of its own.
 */
export type ReadNext = (client: pg.PoolClient, after: LogCheckpoint) => Promise<LogBatch>;

/**
 * Below this many handled events a batch goes through the handlers even when the projection has
 * `applyBatch`: a set-based pass costs about two round trips whatever its size (load the rows, write
 * them back), the handlers one per event, and a live applier mostly sees batches of one or two events.
 */
export const SET_BASED_MIN_EVENTS = 3;

/**
 * Applies `events` (read from the log after `from`, before this transaction opened) and moves the checkpoint past the last of them, all in one
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
  readNext?: ReadNext,
  rows?: RowCache,
): Promise<BatchOutcome> {
  const handled = events.filter((event) => projection.handlers[event.type] !== undefined);
  if (handled.length === 0 && target === 'live') {
    const to = checkpointOfEvent(events[events.length - 1]);
    const kind = await checkpoints.skip(projection.name, from, to, batchLockOf(projection.name));
    if (kind === 'applied') rows?.skipped(from, to);
    return kind === 'applied' ? { kind, checkpoint: to } : { kind };
  }
  let setBasedFailure: { readonly cause: unknown } | undefined;
  if (projection.applyBatch && handled.length >= (projection.applyBatchFrom ?? SET_BASED_MIN_EVENTS)) {
    // Its deferred writes are left in flight: the commit goes out right behind them (see inBatchTransaction).
    const setBased = async (ctx: ProjectionContext) => {
      try {
        await projection.applyBatch?.(handled, ctx);
      } catch (error) {
        throw new SetBasedFailedError(error);
      }
    };
    const outcome = await inBatchTransaction(pool, checkpoints, projection, events, from, target, setBased, readNext, rows, (error) => new SetBasedFailedError(error)).catch((error: unknown) => {
      if (!(error instanceof SetBasedFailedError)) throw error;
      setBasedFailure = error;
      return undefined;
    });
    if (outcome) return outcome;
  }
  const outcome = await inBatchTransaction(pool, checkpoints, projection, events, from, target, async (ctx, flush) => {
    for (const [index, event] of events.entries()) {
      const handler = projection.handlers[event.type];
      if (!handler) continue;
      try {
        await handler(event, ctx);
        // Each handler's deferred writes before the next handler: a failure names its own event.
        await flush();
      } catch (error) {
        throw new HandlerFailedError(projection.name, event, index, error);
      }
    }
  }, readNext, rows);
  if (setBasedFailure) {
    // The handlers succeeded where applyBatch failed: a transient error, or applyBatch refusing (or failing
    // on) input the handlers take. Correct either way, but slower; worth knowing.
    logger.warn(`projection ${projection.name}: applyBatch failed (${describeError(setBasedFailure.cause)}); applied the batch event by event instead`);
  }
  return outcome;
}

/**
 * `write` and the checkpoint's move, in one transaction (for a live batch: unless a rebuild holds it paused).
 *
 * `write` gets the batch's context and `flush`, which resolves when the context's deferred writes have
 * succeeded. Writes still deferred when `write` returns are in flight when the checkpoint's move and the
 * commit go out; if one of them fails, the batch is rolled back and `deferredFailure(cause)` thrown.
 *
 * A live batch runs on a pipelined connection (the runner's batch pool): the BEGIN and the batch lock go
 * out together with the projection's first query, and the commit (then `readNext`) right behind its
 * deferred writes, so a batch that loads and then writes takes two round trips, the next read included.
 * Any other connection runs the same steps one after another, and does not read ahead.
 */
async function inBatchTransaction(
  pool: pg.Pool,
  checkpoints: CheckpointStore,
  projection: Projection,
  events: readonly StoredEvent[],
  from: LogCheckpoint,
  target: BatchTarget,
  write: (ctx: ProjectionContext, flush: () => Promise<void>) => Promise<void>,
  readNext: ReadNext | undefined,
  rows: RowCache | undefined,
  deferredFailure: (cause: unknown) => Error = (cause) => (cause instanceof Error ? cause : new Error(String(cause))),
): Promise<BatchOutcome> {
  const client = await pool.connect();
  const batchRows = rows?.batch(from);
  const { ctx, flush } = contextFor(client, projection, target, batchRows);
  let broken: Error | undefined;
  // Resolves false when a rebuild or verify holds the projection paused (the transaction is then aborted).
  let locked: Promise<boolean> = Promise.resolve(true);
  try {
    if (target === 'live') {
      locked = beginLiveBatch(client, projection);
      locked.catch(() => undefined); // awaited below; this only keeps an early rejection from counting as unhandled
      if (!client.pipeline && !(await locked)) {
        await client.query('ROLLBACK');
        return { kind: 'paused' };
      }
    } else {
      // A rebuild's batches need not wait for the WAL flush: a crash can only lose the last few of them, with
      // their checkpoint, and the swap (a synchronous commit) flushes them all before the shadows go live.
      await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    }
    await write(ctx, flush);
    if (!(await locked)) {
      await client.query('ROLLBACK');
      return { kind: 'paused' };
    }
    const to = checkpointOfEvent(events[events.length - 1]);
    const written = () =>
      flush().catch((error: unknown) => {
        throw deferredFailure(error);
      });
    if (target === 'live') {
      const committed = checkpoints.advanceAndCommit(client, projection.name, from, to);
      committed.catch(() => undefined); // a deferred write's failure is the one to report
      // Executed after the commit (in order, on this connection), so it sees what the next read would.
      const next = readNext && client.pipeline ? readNext(client, to).catch(() => undefined) : undefined;
      await written();
      if (await committed) {
        if (batchRows) rows?.committed(batchRows, to);
        return { kind: 'applied', checkpoint: to, next: await next };
      }
      await client.query('ROLLBACK');
      return { kind: 'moved' };
    }
    await written();
    if (!(await checkpoints.advanceRebuild(client, projection.name, from, to))) {
      await client.query('ROLLBACK');
      return { kind: 'moved' };
    }
    await client.query('COMMIT');
    if (batchRows) rows?.committed(batchRows, to);
    return { kind: 'applied', checkpoint: to };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    // Without the batch lock every statement after it failed: the projection is paused, nothing went wrong.
    if (!(await locked.catch(() => true))) return { kind: 'paused' };
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Each projection's batch lock, hashed once (a live batch or skip per append would hash its name each time). */
const batchLocks = new Map<string, readonly [number, number]>();

function batchLockOf(name: string): readonly [number, number] {
  let key = batchLocks.get(name);
  if (!key) batchLocks.set(name, (key = lockKey('batch', name).args));
  return key;
}

/** SQLSTATE raised by a live batch's BEGIN when it cannot take the projection's batch lock. */
const BATCH_PAUSED = 'ES423';

/**
 * Opens a live batch's transaction and takes the projection's batch lock, in one string (a live batch's
 * latency is its round trips on a loaded machine); false when a rebuild or a verify holds the projection
 * paused. The lock's absence is raised as an error, so that on a pipelined connection the statements sent
 * behind it fail too, whatever they are, instead of writing.
 *
 * The commit need not wait for the WAL flush either: a crash can lose only the last batches together
 * with their checkpoint (one transaction), and the projection applies them again from the durable log.
 * Waiting for the flush would put the fsync of every concurrent append in the way of the read model.
 */
async function beginLiveBatch(client: pg.PoolClient, projection: Projection): Promise<boolean> {
  const [classKey, objKey] = batchLockOf(projection.name);
  try {
    await client.query(
      `BEGIN; SET LOCAL synchronous_commit = off;
       DO $$BEGIN IF NOT pg_try_advisory_xact_lock(${classKey | 0}, ${objKey | 0}) THEN
         RAISE EXCEPTION 'projection paused' USING ERRCODE = '${BATCH_PAUSED}';
       END IF; END$$`,
    );
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === BATCH_PAUSED) return false;
    throw error;
  }
}

/** A projection's applyBatch threw: its transaction was rolled back, and the handlers will have their go. */
class SetBasedFailedError extends Error {
  constructor(override readonly cause: unknown) {
    super(describeError(cause));
  }
}

function contextFor(client: pg.PoolClient, projection: Projection, target: BatchTarget, rows: BatchRows | undefined): { ctx: ProjectionContext; flush: () => Promise<void> } {
  return projectionContext(client, (logicalName) => {
    if (!projection.tables.includes(logicalName)) {
      throw new Error(`projection ${projection.name} does not own table ${logicalName} (its tables: ${projection.tables.join(', ')})`);
    }
    return pg.escapeIdentifier(physicalTable(logicalName, target));
  }, rows);
}

/**
 * A projection's context on `client` (the batch's transaction), with `table` naming its tables and `rows`
 * the rows the batches before it committed (row-cache.ts); `flush` resolves once every write deferred so
 * far has succeeded, or rejects with the first failure.
 */
export function projectionContext(
  client: pg.PoolClient,
  table: (logicalName: string) => string,
  rows?: BatchRows,
): { ctx: ProjectionContext; flush: () => Promise<void> } {
  const deferred: Promise<unknown>[] = [];
  const ctx: ProjectionContext = {
    client,
    table,
    rows,
    defer(text, values) {
      const result = client.query(text, values);
      result.catch(() => undefined); // reported by flush()
      deferred.push(result);
    },
  };
  const flush = async () => {
    await Promise.all(deferred.splice(0));
  };
  return { ctx, flush };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
