import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { LOG_START, type LogCheckpoint, type StoredEvent } from '../event-store/event.js';
import type { EventStore } from '../event-store/event-store.js';
import { applyBatch, describeError, physicalTable } from './batch-applier.js';
import { checkpointOfEvent, compareCheckpoints, type CheckpointStore } from './checkpoint-store.js';
import { BATCH_SIZE } from './live-applier.js';
import type { Projection } from './projection.js';
import { ProjectionRebuildingError } from './projection.errors.js';
import { lockKey } from './projection-locks.js';
import { RowCache } from './row-cache.js';

export interface RebuildProgress {
  /** replaying: the bulk of the log, while the live model carries on; catching-up: with the live model paused. */
  readonly phase: 'replaying' | 'catching-up' | 'swapping' | 'comparing' | 'done';
  /** Events read from the log so far (applied or passed over). */
  readonly processed: number;
  /** Events in the log when the rebuild started, or `processed` once that is larger. */
  readonly total: number;
}

export interface RebuildOptions {
  /**
   * true (default): swap the rebuilt tables in. false: replay only up to the live checkpoint and leave the
   * shadow tables (`<table>__rebuild`) in place, equal to what the live tables held at that checkpoint.
   */
  readonly swap?: boolean;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  readonly name: string;
  /** The last event the rebuilt tables reflect. */
  readonly checkpoint: LogCheckpoint;
  readonly processed: number;
  readonly swapped: boolean;
}

export interface TableDifference {
  readonly table: string;
  readonly onlyInLive: number;
  readonly onlyInRebuilt: number;
  /** Up to SAMPLE_ROWS rows of each side, as JSON. */
  readonly samplesOnlyInLive: readonly unknown[];
  readonly samplesOnlyInRebuilt: readonly unknown[];
}

/** keep: swap:false. compare: like keep, then compare with the live tables (still paused) and drop. */
export type RebuildMode = 'swap' | 'keep' | 'compare';

export interface RebuildDeps {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
}

export interface RebuildHooks {
  readonly signal: AbortSignal;
  /** The rebuild holds its lock: it will run. */
  readonly onStarted: () => void;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

const SAMPLE_ROWS = 20;
const SWAP_LOCK_TIMEOUT = '2s';
const SWAP_ATTEMPTS = 5;
const LOCK_NOT_AVAILABLE = '55P03';
/**
 * Fresh shadow tables have no planner statistics, and without them PostgreSQL takes a lookup of a set of
 * keys (`WHERE id = ANY($1)`, as a set-based batch loads its rows) for a scan of the whole table, which
 * grows with every batch. The replay analyzes them once this many events are in, then at every tenfold.
 */
const FIRST_ANALYZE_AT = 5_000;
/**
 * Events per replay batch of a projection with `applyBatch`, which costs a few round trips whatever the
 * batch's size. A batch's transaction stays short all the same (it holds locks and a snapshot): 2,000
 * events take some 40 ms this way, less than BATCH_SIZE events through per-event handlers.
 */
const SET_BASED_BATCH_SIZE = 2_000;
/** Rows the replay keeps: four batches' worth of streams of one event each. */
const REBUILD_CACHE_ROWS = 8_192;
/** And what they may weigh (row-cache.ts): 8,192 rows of up to 11 children each, some 10 MB. */
const REBUILD_CACHE_WEIGHT = 100_000;
/** Replay rounds before the live applier is paused for the catch-up, at most (see replay). */
const MAX_REPLAY_ROUNDS = 4;

/**
 * Replays the whole log into fresh shadow tables while the live read model keeps serving and being
 * updated, then pauses the live applier (wherever it runs: the `batch` advisory lock), catches the
 * shadow up with it and, in one transaction, drops the live tables, renames the shadows into place and
 * moves the live checkpoint to the shadow's. Readers block only for that transaction.
 *
 * Read-model tables must not have foreign keys, serial defaults or dependent views: `LIKE ... INCLUDING
 * ALL` does not copy the first, and the others would tie the shadow to the table it replaces.
 */
export class ProjectionRebuild {
  private processed = 0;
  private total = 0;
  private checkpoint: LogCheckpoint = LOG_START;
  private differences: TableDifference[] = [];
  private nextAnalyzeAt = FIRST_ANALYZE_AT;
  private readonly batchSize: number;
  /**
   * The rows the replay wrote into the fresh shadows, which only it writes: a key it never wrote has no
   * row there, and a batch loads only rows the cache has dropped since (row-cache.ts).
   */
  private readonly rows = RowCache.ofEmptyTable(LOG_START, REBUILD_CACHE_ROWS, REBUILD_CACHE_WEIGHT);

  constructor(
    private readonly projection: Projection,
    private readonly mode: RebuildMode,
    private readonly deps: RebuildDeps,
    private readonly hooks: RebuildHooks,
  ) {
    this.batchSize = projection.applyBatch ? SET_BASED_BATCH_SIZE : BATCH_SIZE;
  }

  async run(): Promise<RebuildResult & { differences: TableDifference[] }> {
    const { name } = this.projection;
    // A connection of its own for the session locks; destroyed at the end, so they can never outlive us.
    const lockClient = await this.deps.pool.connect();
    let started = false;
    try {
      const { rows } = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', lockKey('rebuild', name).args);
      if (!rows[0].ok) throw new ProjectionRebuildingError(name);
      started = true;
      this.hooks.onStarted();
      await this.createShadows(lockClient);
      await this.deps.checkpoints.startRebuild(lockClient, name);
      const { rows: count } = await lockClient.query<{ n: string }>('SELECT count(*) AS n FROM events');
      this.total = Number(count[0].n);

      await this.replay();
      // Fresh tables have no planner statistics: gather them now, not after the swap under live reads.
      if (this.mode === 'swap') await this.analyzeShadows();
      // Pause the live applier: this waits for a live batch in flight to commit, then holds off the next.
      await lockClient.query('SELECT pg_advisory_lock($1, $2)', lockKey('batch', name).args);
      const live = (await this.deps.checkpoints.read(name)).checkpoint;
      await this.catchUpTo(live);
      if (this.mode === 'swap') {
        this.report('swapping');
        await this.swap(lockClient);
      } else if (this.mode === 'compare') {
        this.report('comparing');
        this.differences = await this.compare(lockClient);
        await this.dropShadows(lockClient);
        await this.deps.checkpoints.abandonRebuild(name, null);
      }
      this.report('done');
      return { name, checkpoint: this.checkpoint, processed: this.processed, swapped: this.mode === 'swap', differences: this.differences };
    } catch (error) {
      if (started) {
        await this.dropShadows(lockClient).catch(() => undefined);
        await this.deps.checkpoints.abandonRebuild(name, describeError(error)).catch(() => undefined);
      }
      throw error;
    } finally {
      // Unlock before letting go: a destroyed connection's locks are freed only once its server process
      // has exited, which can come after our caller's next rebuild or verify of this projection asks for
      // them ("already being rebuilt"). Destroyed all the same, so a failed unlock cannot leak them.
      await lockClient.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      lockClient.release(true);
    }
  }

  /**
   * The bulk of the log, while the live model carries on, in rounds: each replays up to a target fixed
   * when it starts, the end of the readable log (swap) or the live checkpoint (keep, compare), and the
   * next one picks up what was written meanwhile. A target that moved with every batch would have to be
   * outrun: the live applier follows the writers closely (only appends in flight hold it back, see
   * event-store/log-horizon.ts), and a replay slower than the writers would never end. Rounds stop once
   * one had less than a batch to do, or after MAX_REPLAY_ROUNDS; the catch-up does the rest, paused.
   */
  private async replay(): Promise<void> {
    for (let round = 1; ; round++) {
      const before = this.processed;
      const target = await this.replayTarget();
      await this.replayTo(target);
      if (this.processed - before < this.batchSize || round >= MAX_REPLAY_ROUNDS) return;
    }
  }

  private async replayTarget(): Promise<LogCheckpoint> {
    if (this.mode === 'swap') return this.deps.store.logEnd();
    return (await this.deps.checkpoints.read(this.projection.name)).checkpoint;
  }

  /**
   * Replays up to `target`. The next batch is read while this one is written (it starts after this
   * batch's last event, whether or not that commits first), so PostgreSQL's reading and writing overlap
   * instead of taking turns.
   */
  private async replayTo(target: LogCheckpoint): Promise<void> {
    let next = this.readBatch(this.checkpoint, target);
    for (;;) {
      this.throwIfAborted();
      const batch = await next;
      const full = batch.length === this.batchSize;
      if (full) next = this.readBatch(checkpointOfEvent(batch[batch.length - 1]), target);
      // An unread prefetch must not reject unobserved if this batch fails: its error is not the one to report.
      next.catch(() => undefined);
      if (batch.length > 0) await this.apply(batch, 'replaying');
      if (!full) return;
      if (this.processed >= this.nextAnalyzeAt) {
        await this.analyzeShadows();
        this.nextAnalyzeAt = this.processed * 10;
      }
    }
  }

  private async analyzeShadows(): Promise<void> {
    for (const table of this.projection.tables) await this.deps.pool.query(`ANALYZE ${shadow(table)}`);
  }

  /** With the live applier paused at `live`, brings the shadow to it (it may already be past it). */
  private async catchUpTo(live: LogCheckpoint): Promise<void> {
    while (compareCheckpoints(this.checkpoint, live) < 0) {
      this.throwIfAborted();
      const batch = await this.readBatch(this.checkpoint, live);
      // Every event up to the live checkpoint is below the horizon: the live applier has read it, below an
      // older horizon, and a later one is never lower than an event handed out before (log-horizon.ts).
      if (batch.length === 0) throw new Error(`the log ended before the live checkpoint ${live.position}`);
      await this.apply(batch, 'catching-up');
    }
  }

  /** A batch of the log after `from`, up to `bound`. */
  private async readBatch(from: LogCheckpoint, bound: LogCheckpoint): Promise<StoredEvent[]> {
    const events = await this.deps.store.readLog(from, this.batchSize);
    return events.filter((e) => compareCheckpoints(checkpointOfEvent(e), bound) <= 0);
  }

  private async apply(events: readonly StoredEvent[], phase: RebuildProgress['phase']): Promise<void> {
    const outcome = await applyBatch(this.deps.pool, this.deps.checkpoints, this.projection, events, this.checkpoint, 'rebuild', undefined, this.rows);
    if (outcome.kind !== 'applied') throw new Error(`the rebuild checkpoint of ${this.projection.name} was moved by someone else`);
    this.checkpoint = outcome.checkpoint;
    this.processed += events.length;
    this.report(phase);
  }

  private report(phase: RebuildProgress['phase']): void {
    this.total = Math.max(this.total, this.processed);
    if (phase === 'done') this.total = this.processed;
    this.hooks.onProgress?.({ phase, processed: this.processed, total: this.total });
  }

  private throwIfAborted(): void {
    if (this.hooks.signal.aborted) throw new Error(`rebuild of ${this.projection.name} aborted: the runner is stopping`);
  }

  private async createShadows(client: pg.PoolClient): Promise<void> {
    await this.dropShadows(client);
    for (const table of this.projection.tables) {
      await client.query(`CREATE TABLE ${shadow(table)} (LIKE ${live(table)} INCLUDING ALL)`);
    }
  }

  private async dropShadows(client: pg.PoolClient): Promise<void> {
    for (const table of this.projection.tables) await client.query(`DROP TABLE IF EXISTS ${shadow(table)}`);
  }

  /**
   * Drops the live tables and renames the shadows (and their indexes, so that index and constraint names
   * stay what the migrations created) into place, with the checkpoint, atomically. A long-running read
   * would make the swap wait, and every read queue behind it: we give up after a short lock timeout and
   * try again, rather than stall the read side.
   */
  private async swap(client: pg.PoolClient): Promise<void> {
    const tables = this.projection.tables;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
        await client.query(`LOCK TABLE ${tables.map(live).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        const renames: string[] = [];
        for (const table of tables) renames.push(...(await indexRenames(client, table)));
        for (const table of tables) {
          await client.query(`DROP TABLE ${live(table)}`);
          await client.query(`ALTER TABLE ${shadow(table)} RENAME TO ${live(table)}`);
        }
        for (const rename of renames) await client.query(rename);
        await this.deps.checkpoints.completeRebuild(client, this.projection.name, this.checkpoint);
        await client.query('COMMIT');
        return;
      } catch (error) {
        await client.query('ROLLBACK');
        if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= SWAP_ATTEMPTS) throw error;
        await sleep(100 * attempt);
      }
    }
  }

  /** Live versus shadow, both at the same checkpoint: rows in one and not the other (as multisets). */
  private async compare(client: pg.PoolClient): Promise<TableDifference[]> {
    const differences: TableDifference[] = [];
    for (const table of this.projection.tables) {
      const onlyInLive = await exceptRows(client, live(table), shadow(table));
      const onlyInRebuilt = await exceptRows(client, shadow(table), live(table));
      if (onlyInLive.count === 0 && onlyInRebuilt.count === 0) continue;
      differences.push({
        table,
        onlyInLive: onlyInLive.count,
        onlyInRebuilt: onlyInRebuilt.count,
        samplesOnlyInLive: onlyInLive.samples,
        samplesOnlyInRebuilt: onlyInRebuilt.samples,
      });
    }
    return differences;
  }
}

function live(table: string): string {
  return pg.escapeIdentifier(physicalTable(table, 'live'));
}

function shadow(table: string): string {
  return pg.escapeIdentifier(physicalTable(table, 'rebuild'));
}

async function exceptRows(client: pg.PoolClient, left: string, right: string): Promise<{ count: number; samples: unknown[] }> {
  const { rows } = await client.query<{ row: unknown; n: string }>(
    `SELECT row_to_json(d) AS row, count(*) OVER () AS n FROM (SELECT * FROM ${left} EXCEPT ALL SELECT * FROM ${right}) d LIMIT ${SAMPLE_ROWS}`,
  );
  return { count: rows.length ? Number(rows[0].n) : 0, samples: rows.map((r) => r.row) };
}

interface IndexRow {
  name: string;
  definition: string;
}

/**
 * `LIKE ... INCLUDING ALL` gives the shadow's indexes new names (`<table>__rebuild_pkey`, ...). Pairs each
 * with the live index of the same definition, and returns the renames to run once the live table is gone.
 */
async function indexRenames(client: pg.PoolClient, table: string): Promise<string[]> {
  const indexes = async (relation: string) =>
    (
      await client.query<IndexRow>(
        `SELECT c.relname AS name,
                i.indisunique::text || i.indisprimary::text || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') AS definition
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
        [relation],
      )
    ).rows;
  const liveIndexes = await indexes(live(table));
  const shadowIndexes = await indexes(shadow(table));
  const renames: string[] = [];
  for (const index of liveIndexes) {
    const match = shadowIndexes.findIndex((s) => s.definition === index.definition);
    if (match < 0) continue;
    const [twin] = shadowIndexes.splice(match, 1);
    if (twin.name !== index.name) renames.push(`ALTER INDEX ${pg.escapeIdentifier(twin.name)} RENAME TO ${pg.escapeIdentifier(index.name)}`);
  }
  return renames;
}
