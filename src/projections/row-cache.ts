import type { LogCheckpoint } from '../event-store/event.js';
import { compareCheckpoints } from './checkpoint-store.js';

/** Rows a live applier keeps per projection, at most: the carts of a busy hour, a few MB. */
export const ROW_CACHE_ROWS = 4_096;

/**
 * The rows a projection's live applier has committed, as its table holds them, so that its next batch
 * need not load them again: under the add-item load, loading a batch's carts was a quarter of
 * PostgreSQL's statement time (bench/PROFILE.md), though the applier had written every one of them itself.
 *
 * It stands at the checkpoint its last committed batch moved to, and is worth anything only to a batch
 * that starts there: the checkpoint's compare-and-set then proves, at commit, that no other writer moved
 * the projection in between (a rebuild's swap, an applier elsewhere). Anything else empties it: a batch
 * from elsewhere, one that did not commit (rolled back, paused, moved, failed), a lost applier lock. Rows
 * are kept as the read model's evolve got them (normalised and never changed: evolve must not change its
 * argument), the least recently used dropped beyond `capacity`. A row known not to exist is kept as null.
 */
export class RowCache {
  private readonly rows = new Map<string, unknown>();
  private at: LogCheckpoint | undefined;

  constructor(private readonly capacity = ROW_CACHE_ROWS) {}

  /** The cache as a batch from `from` sees it (empty unless the cache stands there). */
  batch(from: LogCheckpoint): BatchRows {
    if (!this.at || compareCheckpoints(this.at, from) !== 0) this.clear();
    return new BatchRows(this.rows);
  }

  /** The batch committed, its checkpoint moved to `to`: its rows are the table's now. */
  committed(batch: BatchRows, to: LogCheckpoint): void {
    for (const [key, row] of batch.written) {
      this.rows.delete(key); // re-inserted last: the most recently used
      this.rows.set(key, row);
    }
    for (const key of this.rows.keys()) {
      if (this.rows.size <= this.capacity) break;
      this.rows.delete(key);
    }
    this.at = to;
  }

  clear(): void {
    this.rows.clear();
    this.at = undefined;
  }

  get size(): number {
    return this.rows.size;
  }
}

/**
 * One batch transaction's view of its projection's rows: what the cache held when it began, overlaid
 * with what the batch wrote so far (the same transaction reads its own writes), kept apart from the
 * cache until the batch commits.
 */
export class BatchRows {
  readonly written = new Map<string, unknown>();

  constructor(private readonly cached: ReadonlyMap<string, unknown>) {}

  has(key: string): boolean {
    return this.written.has(key) || this.cached.has(key);
  }

  /** The row under `key` (null: known not to exist), if known. */
  get(key: string): unknown {
    return this.written.has(key) ? this.written.get(key) : this.cached.get(key);
  }

  set(key: string, row: unknown): void {
    this.written.set(key, row);
  }
}
