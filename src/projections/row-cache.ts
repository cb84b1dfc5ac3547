import { weightOf } from '../event-store/cache-weight.js';
import type { LogCheckpoint } from '../event-store/event.js';
import { compareCheckpoints } from './checkpoint-store.js';

/** Rows a live applier keeps per projection, at most. */
const ROW_CACHE_ROWS = 4_096;
/**
 * And what they may weigh together (event-store/cache-weight.ts: a row, plus one per child row), about
 * 5 MB: a count alone let 4,096 carts of 30 lines each hold some 120,000 line rows.
 */
const ROW_CACHE_WEIGHT = 50_000;

/**
 * The rows a projection's live applier has committed, as its table holds them, so that its next batch
 * need not load them again: under the add-item load, loading a batch's carts was a quarter of
 * PostgreSQL's statement time (bench/PROFILE.md), though the applier had written every one of them itself.
 *
 * It stands at the checkpoint its last committed batch moved to, and is worth anything only to a batch
 * that starts there: the checkpoint's compare-and-set then proves, at commit, that no other writer moved
 * the projection in between (a rebuild's swap, an applier elsewhere). A batch from elsewhere empties it,
 * and so does its applier when a batch finds the projection paused or moved, or loses its lock. A batch
 * that rolled back changes nothing: its rows join the cache only once it has committed. Rows
 * are kept as the read model's evolve got them (normalised and never changed: evolve must not change its
 * argument), the least recently used dropped beyond `capacity`. A row known not to exist is kept as null.
 */
export class RowCache {
  private readonly rows = new Map<string, unknown>();
  /** What `rows` weighs (weightOf), kept as rows come and go. */
  private weight = 0;
  /**
   * For a table known to have started empty at `at` (a rebuild's shadow): the keys dropped from `rows`
   * since. Every other key has no row, and needs no load to find out.
   */
  private evicted: Set<string> | undefined;

  constructor(
    private readonly capacity = ROW_CACHE_ROWS,
    private readonly maxWeight = ROW_CACHE_WEIGHT,
    private at?: LogCheckpoint,
  ) {}

  /** A cache for a table that holds no row at `at`, and that only this cache's batches write from then on. */
  static ofEmptyTable(at: LogCheckpoint, capacity: number, maxWeight: number): RowCache {
    const cache = new RowCache(capacity, maxWeight, at);
    cache.evicted = new Set();
    return cache;
  }

  /** The cache as a batch from `from` sees it (empty unless the cache stands there). */
  batch(from: LogCheckpoint): BatchRows {
    if (!this.at || compareCheckpoints(this.at, from) !== 0) this.clear();
    return new BatchRows(this);
  }

  /** The batch committed, its checkpoint moved to `to`: its rows are the table's now. */
  committed(batch: BatchRows, to: LogCheckpoint): void {
    for (const [key, row] of batch.written) {
      this.drop(key); // re-inserted last: the most recently used
      this.rows.set(key, row);
      this.weight += weightOf(row);
      this.evicted?.delete(key);
    }
    for (const key of this.rows.keys()) {
      if (this.rows.size <= this.capacity && this.weight <= this.maxWeight) break;
      this.drop(key);
      this.evicted?.add(key);
    }
    this.at = to;
  }

  /** The checkpoint moved from `from` to `to` past events the projection does not handle: no row changed. */
  skipped(from: LogCheckpoint, to: LogCheckpoint): void {
    if (this.at && compareCheckpoints(this.at, from) === 0) this.at = to;
    else this.clear();
  }

  private drop(key: string): void {
    if (this.rows.has(key)) this.weight -= weightOf(this.rows.get(key));
    this.rows.delete(key);
  }

  clear(): void {
    this.rows.clear();
    this.weight = 0;
    this.at = undefined;
    this.evicted = undefined;
  }

  /** Whether the row under `key` is known (cached, or known not to exist). */
  knows(key: string): boolean {
    return this.rows.has(key) || (this.evicted !== undefined && !this.evicted.has(key));
  }

  /** The row under `key` if cached; null if known not to exist. */
  row(key: string): unknown {
    return this.rows.get(key) ?? null;
  }
}

/**
 * One batch transaction's view of its projection's rows: what the cache held when it began, overlaid
 * with what the batch wrote so far (the same transaction reads its own writes), kept apart from the
 * cache until the batch commits.
 */
export class BatchRows {
  readonly written = new Map<string, unknown>();

  constructor(private readonly cache: Pick<RowCache, 'knows' | 'row'>) {}

  has(key: string): boolean {
    return this.written.has(key) || this.cache.knows(key);
  }

  /** The row under `key` (null: known not to exist), if known. */
  get(key: string): unknown {
    return this.written.has(key) ? this.written.get(key) : this.cache.row(key);
  }

  set(key: string, row: unknown): void {
    this.written.set(key, row);
  }
}
