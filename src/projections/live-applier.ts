import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { isConnectionError } from '../database/connection-loss.js';
import type { LogCheckpoint, StoredEvent } from '../event-store/event.js';
import { projectionBatchDuration, projectionFailures } from '../observability/metrics.js';
import type { EventStore, LogBatch } from '../event-store/event-store.js';
import { applyBatch, describeError, HandlerFailedError, type ReadNext } from './batch-applier.js';
import { compareCheckpoints, type CheckpointStore } from './checkpoint-store.js';
import type { ListenSession } from './listen-session.js';
import type { Projection } from './projection.js';
import { lockKey, type AdvisoryLockKey } from './projection-locks.js';
import { RowCache } from './row-cache.js';
import { WakeSignal } from './wake-signal.js';

/** Events per batch: large enough to amortise the transaction, small enough to keep it short. */
export const BATCH_SIZE = 500;
/** Fallback when no notification arrives (a rolled-back append notifies nobody, yet moves the horizon). */
const POLL_MS = 500;
/**
 * How soon to look again when committed events are held back by an older, still running transaction.
 * After a batch that made progress: at once (1 ms lets a few more appends join the next batch). After a
 * read that found nothing: doubling from 2 ms up to 50 ms (or the next notification), so one long
 * transaction costs at most 20 cheap reads a second, and lag stays within tens of milliseconds.
 */
const AFTER_PROGRESS_MS = 1;
const HELD_BACK_RETRY_MS = 2;
const HELD_BACK_MAX_MS = 50;
/** How often an instance that is not the applier tries to become it. */
const LOCK_RETRY_MS = 1_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 30_000;
/**
 * While the database is unreachable: retry doubling from 250 ms up to 2 s, or at once when the listener
 * reconnects (it wakes every applier). Short, so the read model resumes soon after the database returns.
 */
const UNAVAILABLE_CAP_MS = 2_000;

type StepOutcome = 'full' | 'read-ahead' | 'partial' | 'progress-held-back' | 'held-back' | 'idle' | 'paused' | 'moved' | 'failed' | 'unavailable';

export interface LiveApplierDeps {
  readonly pool: pg.Pool;
  /** The log's reader (shared between the appliers: see SharedLogReads). */
  readonly store: Pick<EventStore, 'readLogBatch'>;
  /** Reads the log on a batch's own connection, right behind its commit (see inBatchTransaction). */
  readonly readNext?: ReadNext;
  readonly checkpoints: CheckpointStore;
  readonly session: ListenSession;
  /**
   * Called with each checkpoint this applier learns is committed: after each batch it commits, and when it
   * first reads the checkpoint from the table (so reads can answer `X-Projection-Position` without a query
   * before the first event arrives, or while none does).
   */
  readonly onAdvance: (name: string, checkpoint: LogCheckpoint) => void;
}

/**
 * Keeps one projection's live read model up to date, while this instance holds its applier lock.
 * One loop per projection: a failing projection backs off alone, the others carry on.
 */
export class LiveApplier {
  private readonly logger = new Logger('ProjectionRunner');
  private readonly signal = new WakeSignal();
  private readonly applierKey: AdvisoryLockKey;
  private loop: Promise<void> | undefined;
  private lockGeneration: number | undefined;
  /** Our copy of the live checkpoint; undefined means "read it from the table before the next batch". */
  private checkpoint: LogCheckpoint | undefined;
  /** The highest checkpoint we know to be committed. A checkpoint never moves back, so it is a lower bound. */
  private committed: LogCheckpoint | undefined;
  private failures = 0;
  /** Steps in a row that found the database unreachable. */
  private outages = 0;
  private heldBackStreak = 0;
  /** The log after `after`, read right behind the last batch's commit: the next step's read, already done. */
  private readAhead: { readonly after: LogCheckpoint; readonly batch: LogBatch } | undefined;
  /** The rows this applier's committed batches wrote (row-cache.ts). */
  private readonly rows = new RowCache();
  private readonly metrics: { readonly batchDuration: ReturnType<typeof projectionBatchDuration.labels>; readonly failures: ReturnType<typeof projectionFailures.labels> };

  constructor(
    readonly projection: Projection,
    private readonly deps: LiveApplierDeps,
  ) {
    this.applierKey = lockKey('applier', projection.name);
    // Labelled once, so a batch records its figures without building label objects; failures shows 0 from the start.
    this.metrics = { batchDuration: projectionBatchDuration.labels(projection.name), failures: projectionFailures.labels(projection.name) };
    this.metrics.failures.inc(0);
  }

  /** Whether this instance is the projection's applier right now. */
  get applying(): boolean {
    return this.lockGeneration !== undefined && this.lockGeneration === this.deps.session.generation;
  }

  /** What this instance, as the applier, knows the projection has applied; undefined if it is not the applier. */
  get appliedCheckpoint(): LogCheckpoint | undefined {
    return this.applying ? this.committed : undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Events were appended. */
  wake(): void {
    this.signal.wake();
  }

  /** The checkpoint was changed behind our back (a rebuild swapped the tables in). */
  reload(): void {
    this.checkpoint = undefined;
    this.readAhead = undefined;
    this.rows.clear();
    this.signal.wake();
  }

  /** Lets the batch in flight finish, then stops and gives up the applier lock. */
  async stop(): Promise<void> {
    this.signal.close();
    await this.loop;
    if (this.lockGeneration !== undefined) await this.deps.session.unlock(this.applierKey, this.lockGeneration);
    this.lockGeneration = undefined;
  }

  private async run(): Promise<void> {
    while (!this.signal.closed) {
      if (!this.applying && !(await this.acquire())) {
        await this.signal.wait(LOCK_RETRY_MS, false);
        continue;
      }
      const outcome = await this.step();
      if (outcome !== 'held-back') this.heldBackStreak = 0;
      if (outcome === 'full' || outcome === 'read-ahead' || outcome === 'moved') continue;
      if (outcome === 'failed') await this.signal.wait(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1)), false);
      else if (outcome === 'unavailable') await this.signal.wait(Math.min(UNAVAILABLE_CAP_MS, BACKOFF_BASE_MS * 2 ** (this.outages - 1)));
      else if (outcome === 'progress-held-back') await this.signal.wait(AFTER_PROGRESS_MS, false);
      else if (outcome === 'held-back') await this.signal.wait(Math.min(HELD_BACK_MAX_MS, HELD_BACK_RETRY_MS * 2 ** this.heldBackStreak++));
      else await this.signal.wait(POLL_MS);
    }
  }

  private async acquire(): Promise<boolean> {
    const generation = await this.deps.session.tryLock(this.applierKey);
    if (generation === undefined) return false;
    this.lockGeneration = generation;
    this.checkpoint = undefined;
    this.readAhead = undefined;
    this.rows.clear();
    this.logger.log(`applying projection ${this.projection.name}`);
    return true;
  }

  /**
   * One batch: read, apply, move the checkpoint. The read comes right after the previous batch's commit,
   * never earlier (say, while that batch is written): an event that commits during a batch would then
   * miss the next read as well and wait two batches instead of one. On a pipelined connection the read
   * goes out right behind the commit, in the same round trip (`readAhead`).
   */
  private async step(): Promise<StepOutcome> {
    let events: StoredEvent[] = [];
    let from: LogCheckpoint | undefined;
    try {
      from = this.checkpoint ?? (await this.deps.checkpoints.read(this.projection.name)).checkpoint;
      this.checkpoint = from;
      this.noteCommitted(from);
      const ahead = this.readAheadAt(from);
      this.readAhead = undefined;
      const read = ahead ?? (await this.deps.store.readLogBatch(from, BATCH_SIZE));
      if (this.outages > 0) this.logger.log(`projection ${this.projection.name} reaches the database again`);
      this.outages = 0;
      events = read.events;
      if (events.length > 0) {
        const outcome = await this.apply(events, from);
        if (outcome !== 'applied') return outcome;
        if (this.failures > 0) this.logger.log(`projection ${this.projection.name} recovered`);
        this.failures = 0;
        const next = this.readAheadAt(this.checkpoint);
        if (next && next.events.length > 0) return 'read-ahead';
        if (next) {
          // Nothing more yet: wait as after any read that found nothing (a wake during the batch is kept).
          this.readAhead = undefined;
          return next.heldBack ? 'progress-held-back' : 'partial';
        }
        if (events.length === BATCH_SIZE) return 'full';
      }
      if (read.heldBack) return events.length > 0 ? 'progress-held-back' : 'held-back';
      return events.length > 0 ? 'partial' : 'idle';
    } catch (error) {
      return this.fail(error, events, from);
    }
  }

  private async apply(events: readonly StoredEvent[], from: LogCheckpoint): Promise<'applied' | 'paused' | 'moved'> {
    const timer = this.metrics.batchDuration.startTimer();
    const outcome = await applyBatch(this.deps.pool, this.deps.checkpoints, this.projection, events, from, 'live', this.deps.readNext, this.rows);
    if (outcome.kind === 'applied') timer();
    if (outcome.kind === 'moved') this.checkpoint = undefined;
    // Someone else wrote, or may write, the tables (another applier; a rebuild, which may swap them in
    // at this very checkpoint): the rows this one remembers may be stale. (A batch that failed and rolled
    // back left the tables as the cache knows them.)
    if (outcome.kind !== 'applied') {
      this.rows.clear();
      return outcome.kind;
    }
    this.checkpoint = outcome.checkpoint;
    if (outcome.next) this.readAhead = { after: outcome.checkpoint, batch: outcome.next };
    this.noteCommitted(outcome.checkpoint);
    return 'applied';
  }

  /** The read-ahead batch, if it starts at `checkpoint` (the applier's checkpoint may have been reset since). */
  private readAheadAt(checkpoint: LogCheckpoint | undefined): LogBatch | undefined {
    const ahead = this.readAhead;
    return ahead && checkpoint && compareCheckpoints(ahead.after, checkpoint) === 0 ? ahead.batch : undefined;
  }

  private noteCommitted(checkpoint: LogCheckpoint): void {
    if (this.committed && compareCheckpoints(checkpoint, this.committed) <= 0) return;
    this.committed = checkpoint;
    this.deps.onAdvance(this.projection.name, checkpoint);
  }

  /**
   * The projection stops at the failing event: the events before it in the batch are applied on their
   * own, so the checkpoint and `failed_position` point at the culprit, and it is retried with backoff.
   */
  private async fail(error: unknown, events: readonly StoredEvent[], from: LogCheckpoint | undefined): Promise<StepOutcome> {
    const name = this.projection.name;
    if (isConnectionError(error)) return this.unavailable(error);
    // A lost race is not a failure (e.g. a handler that tripped over rows another applier had just written).
    const current = await this.deps.checkpoints.read(name).catch(() => undefined);
    if (current && from && compareCheckpoints(current.checkpoint, from) !== 0) {
      this.checkpoint = undefined;
      return 'moved';
    }
    if (error instanceof HandlerFailedError && error.index > 0 && from) {
      await this.apply(events.slice(0, error.index), from).catch(() => undefined);
    }
    this.failures++;
    this.metrics.failures.inc();
    const position = error instanceof HandlerFailedError ? error.event.position : null;
    const message = describeError(error);
    await this.deps.checkpoints.markFailed(name, message, position).catch(() => undefined);
    this.logger.error(`projection ${name} failed (attempt ${this.failures}, retrying with backoff): ${message}`);
    return 'failed';
  }

  /**
   * The database went away (or no connection could be had): not the projection's failure, so it is not
   * marked failed. The batch in flight rolled back, or committed together with its checkpoint; either
   * way the next step starts from the checkpoint the table holds, so nothing is applied twice or skipped.
   */
  private unavailable(error: unknown): StepOutcome {
    this.checkpoint = undefined;
    this.readAhead = undefined;
    this.rows.clear();
    if (this.outages++ === 0) this.logger.warn(`projection ${this.projection.name} waits for the database: ${describeError(error)}`);
    return 'unavailable';
  }
}
