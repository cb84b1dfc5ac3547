import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import type { LogCheckpoint } from '../event-store/event.js';
import { EventStore } from '../event-store/event-store.js';
import { NotFoundError } from '../event-store/errors.js';
import { SHADOW_SUFFIX } from './batch-applier.js';
import { CheckpointStore, compareCheckpoints } from './checkpoint-store.js';
import { AppendBroadcast } from './append-broadcast.js';
import { ListenSession } from './listen-session.js';
import { BATCH_SIZE as LIVE_BATCH_SIZE, LiveApplier } from './live-applier.js';
import { PROJECTION_PROVIDER, USES_READ_MODELS, type Projection } from './projection.js';
import { lockKey } from './projection-locks.js';
import { SharedLogReads } from './shared-log-reads.js';
import { trackPool, trackProjections } from '../observability/metrics.js';
import { readProjectionProgress } from './projection-progress.js';
import {
  ProjectionRebuild,
  type RebuildMode,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type TableDifference,
} from './projection-rebuild.js';

export type ProjectionState = 'running' | 'rebuilding' | 'failed';

/** One row of `GET /admin/projections`. */
export interface ProjectionStatus {
  readonly name: string;
  /** The checkpoint's position: the last applied event. */
  readonly position: string;
  readonly headPosition: string;
  /** Events after the checkpoint, in log order. */
  readonly lag: number;
  readonly status: ProjectionState;
  readonly lastError?: string;
}

/** How often a read waiting for a position re-reads the checkpoints (another instance may be the applier). */
const CHECKPOINT_POLL_MS = 100;
/** Connections for live batches: enough for this project's projections to run theirs at the same time. */
const BATCH_POOL_SIZE = 8;
/** Read-model tables get a `__rebuild` shadow: the name must leave room for it within PostgreSQL's 63 bytes. */
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,53}$/;

/**
 * Runs every projection (a provider marked @ProjectionProvider()): keeps each read model up to date from
 * the log, one applier per projection across instances, and answers when a position has been applied.
 */
@Injectable()
export class ProjectionRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly appliers = new Map<string, LiveApplier>();
  private readonly rebuilds = new Set<{ readonly abort: AbortController; readonly done: Promise<unknown> }>();
  private readonly advanceListeners = new Set<() => void>();
  private readonly session: ListenSession;
  private readonly broadcast: AppendBroadcast;
  private readonly logReads: SharedLogReads;
  private readonly batchPool: pg.Pool;
  private unsubscribe: (() => void) | undefined;
  private untrackMetrics: (() => void)[] = [];
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {
    this.session = new ListenSession(
      { ...pool.options, application_name: 'eventshop-projections' },
      {
        onNotify: () => this.appliers.forEach((applier) => applier.wake()),
        // Nothing to do but wait: each applier sees its lock's generation is gone and tries again.
        onLost: () => undefined,
      },
    );
    // Live batches run on pipelined connections of their own (see inBatchTransaction): one per projection
    // at most, as each applier runs one batch at a time.
    this.batchPool = new pg.Pool({ ...pool.options, application_name: 'eventshop-projection-batches', pipeline: true, max: BATCH_POOL_SIZE });
    // An idle connection that breaks (a server restart) is dropped by the pool; the next batch opens another.
    this.batchPool.on('error', (error) => this.logger.warn(`projection batch connection lost: ${error.message}`));
    this.broadcast = new AppendBroadcast(pool);
    this.logReads = new SharedLogReads(store);
  }

  /** The projections this runner found, by name. */
  get names(): string[] {
    return [...this.appliers.keys()].sort();
  }

  async onModuleInit(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const projection = this.projectionOf(wrapper);
      if (projection) this.register(projection);
    }
    this.checkReadModelUsers();
    if (this.appliers.size > 0) await this.checkpoints.ensure(this.names);
    this.untrackMetrics = [trackPool('projection-batches', this.batchPool), trackProjections(() => readProjectionProgress(this.pool, this.names))];
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.appliers.size === 0 || this.started) return;
    this.started = true;
    await this.session.open();
    // Our own appends wake our appliers at once; other instances hear of them through the broadcast.
    this.unsubscribe = this.store.onAppended(() => {
      for (const applier of this.appliers.values()) applier.wake();
      this.broadcast.appended();
    });
    for (const applier of this.appliers.values()) applier.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  /** Whether this instance currently applies the projection's live batches. */
  isApplying(name: string): boolean {
    return this.applierOf(name).applying;
  }

  /**
   * Resolves true once every named projection has applied the event at global `position` ('0': at once),
   * or passed it if no event will ever hold it (see PositionLookup), false if they have not within
   * `timeoutMs`. Waits on this instance's batches and re-reads the checkpoint table, since the applier
   * may be another instance.
   */
  async waitForPosition(names: readonly string[], position: string, timeoutMs: number): Promise<boolean> {
    for (const name of names) this.applierOf(name);
    if (BigInt(position) === 0n) return true;
    const deadline = Date.now() + timeoutMs;
    const lookup = this.store.lookupPosition(position);
    let target: LogCheckpoint | null = null;
    for (;;) {
      // An event that is not there yet (still being written) may be by the next look.
      target ??= await lookup.target();
      if (target && (await this.haveApplied(names, target))) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.nextAdvance(Math.min(remaining, CHECKPOINT_POLL_MS));
    }
  }

  /**
   * The lowest checkpoint position among the named projections: what a read of them reflects at least.
   * Each checkpoint is the later of ours and the table's: right after a batch commits, the table is
   * ahead of ours (and a read that waited for a position may have seen it there).
   */
  async positionOf(names: readonly string[]): Promise<string> {
    const local = this.localCheckpoints(names);
    const table = await this.tableCheckpoints(names);
    return lowestPosition(names.map((_, i) => laterCheckpoint(local[i], table[i])));
  }

  /**
   * positionOf() without a query, when this instance applies all the named projections (the common case,
   * and the hot path of every read-model GET); undefined otherwise.
   */
  localPositionOf(names: readonly string[]): string | undefined {
    const local = this.localCheckpoints(names);
    return local.every((checkpoint) => checkpoint !== undefined) ? lowestPosition(local) : undefined;
  }

  async statuses(): Promise<ProjectionStatus[]> {
    const names = this.names;
    const [rows, headPosition, rebuilding] = await Promise.all([this.checkpoints.readMany(names), this.store.headPosition(), this.rebuildingNames(names)]);
    return Promise.all(
      names.map(async (name) => {
        const row = rows.get(name);
        const checkpoint = row?.checkpoint ?? { transactionId: '0', position: '0' };
        const { rows: lag } = await this.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)',
          [checkpoint.transactionId, checkpoint.position],
        );
        const lastError = row?.lastError ?? (row?.rebuildError ? `rebuild failed: ${row.rebuildError}` : undefined);
        return {
          name,
          position: checkpoint.position,
          headPosition,
          lag: Number(lag[0].n),
          status: rebuilding.has(name) ? 'rebuilding' : (row?.status ?? 'running'),
          ...(lastError ? { lastError } : {}),
        };
      }),
    );
  }

  /**
   * Rebuilds a read model from the whole log into shadow tables while the live one keeps serving, then
   * swaps them in (see ProjectionRebuild). `{ swap: false }` leaves the shadows in place instead, equal to
   * the live tables as of the live checkpoint when it finished. Throws NotFoundError for an unknown name,
   * ProjectionRebuildingError (409) if a rebuild of it is already running on any instance.
   */
  rebuild(name: string, options: RebuildOptions | ((progress: RebuildProgress) => void) = {}): Promise<RebuildResult> {
    const { swap = true, onProgress } = typeof options === 'function' ? { onProgress: options } : options;
    return this.runRebuild(name, swap ? 'swap' : 'keep', onProgress, () => undefined);
  }

  /** Starts a rebuild in the background: resolves once it is under way, rejects if it cannot start. */
  startRebuild(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let started = false;
      this.runRebuild(name, 'swap', undefined, () => {
        started = true;
        resolve();
      }).then(
        (result) => this.logger.log(`projection ${name} rebuilt from ${result.processed} events`),
        (error: unknown) => {
          if (!started) reject(error);
          else this.logger.error(`rebuild of projection ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
  }

  /**
   * Rebuilds into shadow tables up to the live checkpoint, compares them with the live tables while the
   * live applier (wherever it runs) is paused at that same checkpoint, and drops the shadows. Returns
   * the tables that differ; none means the live read model is what its projection makes of the log.
   */
  async verify(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<TableDifference[]> {
    let differences: TableDifference[] = [];
    await this.runRebuild(name, 'compare', onProgress, () => undefined, (d) => (differences = d));
    return differences;
  }

  private async runRebuild(
    name: string,
    mode: RebuildMode,
    onProgress: ((progress: RebuildProgress) => void) | undefined,
    onStarted: () => void,
    onDifferences?: (differences: TableDifference[]) => void,
  ): Promise<RebuildResult> {
    const applier = this.applierOf(name);
    if (this.stopping) throw new Error('the projection runner is stopping');
    const abort = new AbortController();
    const rebuild = new ProjectionRebuild(
      applier.projection,
      mode,
      { pool: this.pool, store: this.store, checkpoints: this.checkpoints },
      { signal: abort.signal, onStarted, onProgress },
    );
    const done = rebuild.run();
    const tracked = { abort, done: done.catch(() => undefined) };
    this.rebuilds.add(tracked);
    try {
      const result = await done;
      onDifferences?.(result.differences);
      return result;
    } finally {
      this.rebuilds.delete(tracked);
      if (mode === 'swap') applier.reload();
    }
  }

  private async stop(): Promise<void> {
    this.unsubscribe?.();
    this.untrackMetrics.forEach((untrack) => untrack());
    this.broadcast.stop();
    for (const { abort } of this.rebuilds.values()) abort.abort();
    await Promise.all([...this.rebuilds.values()].map((r) => r.done));
    await Promise.all([...this.appliers.values()].map((applier) => applier.stop()));
    await this.session.close();
    await this.batchPool.end();
  }

  private async haveApplied(names: readonly string[], target: LogCheckpoint): Promise<boolean> {
    const applied = (checkpoints: readonly (LogCheckpoint | undefined)[]) =>
      checkpoints.every((checkpoint) => checkpoint !== undefined && compareCheckpoints(target, checkpoint) <= 0);
    return applied(this.localCheckpoints(names)) || applied(await this.tableCheckpoints(names));
  }

  /**
   * Each named projection's checkpoint as this instance knows it without a query: its own, where it is the
   * applier; undefined for the others. Like the table's, a lower bound: checkpoints only move on.
   */
  private localCheckpoints(names: readonly string[]): (LogCheckpoint | undefined)[] {
    return names.map((name) => this.applierOf(name).appliedCheckpoint);
  }

  private async tableCheckpoints(names: readonly string[]): Promise<(LogCheckpoint | undefined)[]> {
    const rows = await this.checkpoints.readMany(names);
    return names.map((name) => rows.get(name)?.checkpoint);
  }

  /** Resolves on this instance's next committed batch, or after `ms`. */
  private nextAdvance(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        clearTimeout(timer);
        this.advanceListeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(listener, ms);
      this.advanceListeners.add(listener);
    });
  }

  private onAdvance(): void {
    for (const listener of [...this.advanceListeners]) listener();
  }

  /** Projections some instance is rebuilding: whoever holds the rebuild lock (pg_locks is cluster-wide). */
  private async rebuildingNames(names: readonly string[]): Promise<Set<string>> {
    const keys = names.map((name) => lockKey('rebuild', name));
    const { rows } = await this.pool.query<{ i: number }>(
      `SELECT k.i FROM unnest($1::oid[], $2::oid[]) WITH ORDINALITY AS k(class_id, obj_id, i)
       WHERE EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND l.classid = k.class_id AND l.objid = k.obj_id)`,
      [keys.map((k) => k.classId), keys.map((k) => k.objId)],
    );
    return new Set(rows.map((row) => names[Number(row.i) - 1]));
  }

  private applierOf(name: string): LiveApplier {
    const applier = this.appliers.get(name);
    if (!applier) throw new NotFoundError(`No projection named ${name}`);
    return applier;
  }

  private projectionOf(wrapper: InstanceWrapper): Projection | undefined {
    const { metatype, instance } = wrapper;
    if (typeof metatype !== 'function' || !this.reflector.get<boolean | undefined>(PROJECTION_PROVIDER, metatype)) return undefined;
    if (!wrapper.isDependencyTreeStatic() || !instance) {
      throw new Error(`projection provider ${metatype.name} must be a singleton (not request- or transient-scoped)`);
    }
    return instance as Projection;
  }

  private register(projection: Projection): void {
    const { name, tables } = projection;
    if (typeof name !== 'string' || name.length === 0) throw new Error(`projection ${projection.constructor.name} has no name`);
    if (this.appliers.has(name)) throw new Error(`two projections are named ${name}: is a projection listed in two modules' providers?`);
    for (const table of tables) {
      if (!TABLE_NAME.test(table) || table.endsWith(SHADOW_SUFFIX)) {
        throw new Error(`projection ${name}: table name ${table} must be lower-case snake_case of at most 54 characters`);
      }
    }
    this.appliers.set(
      name,
      new LiveApplier(projection, {
        pool: this.batchPool,
        store: this.logReads,
        readNext: (client, after) => this.store.readLogBatch(after, LIVE_BATCH_SIZE, client),
        checkpoints: this.checkpoints,
        session: this.session,
        onAdvance: () => this.onAdvance(),
      }),
    );
  }

  /** A @UsesReadModels naming no projection is a typo that would fail every request: refuse to start. */
  private checkReadModelUsers(): void {
    const scanner = new MetadataScanner();
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || typeof metatype !== 'function') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, (...args: unknown[]) => unknown>)[method];
        const names: string[] = this.reflector.get<string[] | undefined>(USES_READ_MODELS, handler) ?? [];
        const unknown = names.filter((n) => !this.appliers.has(n));
        if (unknown.length > 0) {
          throw new Error(`${metatype.name}.${method} uses read models of unknown projections: ${unknown.join(', ')}`);
        }
      }
    }
  }
}

function laterCheckpoint(a: LogCheckpoint | undefined, b: LogCheckpoint | undefined): LogCheckpoint | undefined {
  if (!a || !b) return a ?? b;
  return compareCheckpoints(a, b) >= 0 ? a : b;
}

/** The lowest of some checkpoints' positions (a projection with no checkpoint row yet counts as 0). */
function lowestPosition(checkpoints: readonly (LogCheckpoint | undefined)[]): string {
  let lowest: bigint | undefined;
  for (const checkpoint of checkpoints) {
    const position = BigInt(checkpoint?.position ?? '0');
    if (lowest === undefined || position < lowest) lowest = position;
  }
  return String(lowest ?? 0n);
}
