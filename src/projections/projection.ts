import { SetMetadata } from '@nestjs/common';
import type pg from 'pg';
import type { StoredEvent } from '../event-store/event.js';
import type { BatchRows } from './row-cache.js';

/**
 * What a projection's handlers write through: the batch's transaction, and the physical name of each
 * read-model table (during a rebuild the projection writes to fresh shadow tables, swapped in at the end).
 */
export interface ProjectionContext {
  readonly client: pg.PoolClient;
  /** The table to write for `logicalName` (one of the projection's `tables`), already quoted. */
  table(logicalName: string): string;
  /**
   * Sends a write whose answer the projection does not need, without waiting for it: the batch's
   * transaction checks it before it commits, and an error fails the batch as if the query had thrown.
   * For the last statements of a batch: a live batch's commit then goes out right behind them, one round
   * trip instead of two. Anything the projection reads after it must not depend on it.
   */
  defer(text: string, values?: unknown[]): void;
  /**
   * The rows the batches before this one committed (row-cache.ts), which a declared read model consults
   * before it loads rows, and tells the rows it wrote. A projection that writes its own SQL ignores it.
   */
  readonly rows?: BatchRows;
}

/**
 * A read model built from the log. The runner feeds it every event in log order, in batches; a batch's
 * writes and the checkpoint commit together, so an event is applied exactly once.
 */
export interface Projection {
  /** Stable name: the checkpoint's key, the rebuild route's `:name`, the advisory lock's key. */
  readonly name: string;
  /** The read-model tables this projection owns and writes (created by migrations). */
  readonly tables: readonly string[];
  /**
   * Applies one event. Events of types it does not handle are passed over by the runner. The handlers
   * define the projection: `applyBatch`, when present, is a faster way to the very same rows.
   */
  readonly handlers: Readonly<Record<string, (event: StoredEvent, ctx: ProjectionContext) => Promise<void>>>;
  /**
   * Optional. Applies `events` (only types `handlers` has, in log order) with a few set-based statements,
   * leaving the tables exactly as calling the handlers one event after another would. The runner uses it
   * for batches large enough to pay for its fixed cost (see batch-applier.ts). If it throws, the runner
   * rolls back and applies the batch through the handlers instead, which names the failing event; so it
   * may throw on any input it is not sure to treat as the handlers would.
   */
  applyBatch?(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void>;
  /**
   * Optional: the fewest handled events a batch needs to go through `applyBatch` (default
   * SET_BASED_MIN_EVENTS). A declared read model says 1: its handler for one event costs what its batch does.
   */
  readonly applyBatchFrom?: number;
}

export const PROJECTION_PROVIDER = 'eventshop:projection';
export const USES_READ_MODELS = 'eventshop:uses-read-models';

/** Marks a provider class implementing Projection: the runner discovers and runs it. */
export const ProjectionProvider = (): ClassDecorator => SetMetadata(PROJECTION_PROVIDER, true);

/**
 * Marks a GET handler as reading these projections' read models: it answers `X-Projection-Position`,
 * and honours `X-Min-Position` by waiting (bounded) until they have applied that position.
 */
export const UsesReadModels = (...projectionNames: string[]): MethodDecorator => SetMetadata(USES_READ_MODELS, projectionNames);
