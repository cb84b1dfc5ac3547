import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PG_POOL } from '../database/database.tokens.js';
import type { LogCheckpoint } from '../event-store/event.js';
import { EventStore } from '../event-store/event-store.js';
import { NotFoundError } from '../event-store/errors.js';
import { CheckpointStore, compareCheckpoints } from './checkpoint-store.js';
import { AppendBroadcast } from './append-broadcast.js';
import { AdvanceBroadcast, ADVANCES_CHANNEL, KnownCheckpoints } from './checkpoint-feed.js';
import { CHANNEL as APPENDS_CHANNEL, ListenSession } from './listen-session.js';
import { BATCH_SIZE as LIVE_BATCH_SIZE, LiveApplier } from './live-applier.js';
import type { Projection } from './projection.js';
import { checkReadModelUsers, discoverProjections } from './projection-discovery.js';
import { readProjectionStatuses, type ProjectionStatus } from './projection-status.js';
import { ReadYourWrites } from './read-your-writes.js';
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

export type { ProjectionState, ProjectionStatus } from './projection-status.js';

/** Connections for live batches: enough for this project's projections to run theirs at the same time. */
const BATCH_POOL_SIZE = 8;

/** Starts a rebuild where the projections run (the worker thread): resolves once under way. */
export type RebuildStarter = (name: string) => Promise<void>;

/**
 * Runs every projection (a provider marked @ProjectionProvider()): keeps each read model up to date from
 * the log, one applier per projection across instances, and answers when a position has been applied.
 * Where PROJECTIONS is not `inline`, this process applies nothing: it learns the checkpoints from whoever
 * applies them (the worker thread's messages, or ADVANCES_CHANNEL) and still answers reads and the admin routes.
 */
@Injectable()
export class ProjectionRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly appliers = new Map<string, LiveApplier>();
  private readonly rebuilds = new Set<{ readonly abort: AbortController; readonly done: Promise<unknown> }>();
  private readonly reads: ReadYourWrites;
  private readonly session: ListenSession;
  private readonly broadcast: AppendBroadcast;
  private readonly advances: AdvanceBroadcast;
  private readonly known = new KnownCheckpoints();
  private readonly advanceListeners = new Set<(name: string, checkpoint: LogCheckpoint) => void>();
  /** Whether this process applies the projections (PROJECTIONS=inline, or the worker thread and projector process). */
  private readonly applies: boolean;
  private rebuildStarter: RebuildStarter | undefined;
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
    config: AppConfig,
  ) {
    this.applies = config.runsBackgroundWork;
    this.session = new ListenSession(
      { ...pool.options, application_name: 'eventshop-projections' },
      {
        onNotify: (channel, payload) => {
          if (channel === ADVANCES_CHANNEL) this.recordCheckpoints(payload);
          else this.wake();
          if (channel === undefined) void this.readCommittedCheckpoints();
        },
        // Nothing to do but wait: each applier sees its lock's generation is gone and tries again.
        onLost: () => undefined,
      },
      this.applies ? [APPENDS_CHANNEL, ADVANCES_CHANNEL] : [ADVANCES_CHANNEL],
      config.instanceId,
    );
    // Live batches run on pipelined connections of their own (see inBatchTransaction): one per projection
    // at most, as each applier runs one batch at a time.
    this.batchPool = new pg.Pool({ ...pool.options, application_name: 'eventshop-projection-batches', pipeline: true, max: BATCH_POOL_SIZE });
    // An idle connection that breaks (a server restart) is dropped by the pool; the next batch opens another.
    this.batchPool.on('error', (error) => this.logger.warn(`projection batch connection lost: ${error.message}`));
    this.broadcast = new AppendBroadcast(pool, config.instanceId);
    this.advances = new AdvanceBroadcast(pool);
    this.reads = new ReadYourWrites({ store, checkpoints, localCheckpoint: (name) => this.knownCheckpoint(name) });
  }

  /** The projections this runner found, by name. */
  get names(): string[] {
    return [...this.appliers.keys()].sort();
  }

  async onModuleInit(): Promise<void> {
    for (const projection of discoverProjections(this.discovery, this.reflector)) this.register(projection);
    checkReadModelUsers(this.discovery, this.reflector, new Set(this.appliers.keys()));
    if (this.appliers.size > 0) await this.checkpoints.ensure(this.names);
    this.untrackMetrics = [trackPool('projection-batches', this.batchPool), trackProjections(() => readProjectionProgress(this.pool, this.names))];
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.appliers.size === 0 || this.started) return;
    this.started = true;
    await this.session.open();
    // Our own process's appends wake our appliers at once; other instances (and a projector process)
    // hear of them through the broadcast.
    this.unsubscribe = this.store.onAppended((origin) => {
      if (this.applies) this.wake();
      // Once per append: by the thread that appended.
      if (origin === 'this-thread') this.broadcast.appended();
    });
    if (this.applies) for (const applier of this.appliers.values()) applier.start();
  }

  /** Events were appended (by this process, or another instance's NOTIFY): wakes the appliers. */
  private wake(): void {
    for (const applier of this.appliers.values()) applier.wake();
  }

  /**
   * Calls `listener` with each checkpoint this process's appliers know to be committed: at once with those
   * they already apply from, then as they learn of more (each batch they commit; a checkpoint they take
   * over). The worker thread posts them to the main thread, which then answers reads without a query.
   */
  onAdvanced(listener: (name: string, checkpoint: LogCheckpoint) => void): () => void {
    for (const [name, applier] of this.appliers) {
      const checkpoint = applier.appliedCheckpoint;
      if (checkpoint) listener(name, checkpoint);
    }
    this.advanceListeners.add(listener);
    return () => this.advanceListeners.delete(listener);
  }

  /** A checkpoint committed elsewhere (the worker thread): wakes the reads waiting for it. */
  recordCheckpoint(name: string, checkpoint: LogCheckpoint): void {
    if (this.known.record(name, checkpoint)) this.reads.advanced();
  }

  /** Admin rebuilds start through `starter` (in worker mode: in the worker thread, off the request loop). */
  delegateRebuilds(starter: RebuildStarter | undefined): void {
    this.rebuildStarter = starter;
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
   * Resolves true once every named projection has applied the event at global `position`, false if
   * they have not within `timeoutMs` (see ReadYourWrites).
   */
  waitForPosition(names: readonly string[], position: string, timeoutMs: number): Promise<boolean> {
    return this.reads.waitForPosition(names, position, timeoutMs);
  }

  /** The lowest checkpoint position among the named projections: what a read of them reflects at least. */
  positionOf(names: readonly string[]): Promise<string> {
    return this.reads.positionOf(names);
  }

  /** positionOf() without a query, when this instance applies all the named projections; else undefined. */
  localPositionOf(names: readonly string[]): string | undefined {
    return this.reads.localPositionOf(names);
  }

  statuses(): Promise<ProjectionStatus[]> {
    return readProjectionStatuses({ pool: this.pool, store: this.store, checkpoints: this.checkpoints }, this.names);
  }

  /**
   * Rebuilds a read model from the whole log into shadow tables while the live one keeps serving, then
   * swaps them in (see ProjectionRebuild). `{ swap: false }` leaves the shadows in place instead, equal to
   * the live tables as of the live checkpoint when it finished. Throws NotFoundError for an unknown name,
   * ProjectionRebuildingError (PROJECTION_REBUILDING) if a rebuild of it is already running on any instance.
   */
  rebuild(name: string, options: RebuildOptions | ((progress: RebuildProgress) => void) = {}): Promise<RebuildResult> {
    const { swap = true, onProgress } = typeof options === 'function' ? { onProgress: options } : options;
    return this.runRebuild(name, swap ? 'swap' : 'keep', onProgress, () => undefined);
  }

  /**
   * Starts a rebuild in the background: resolves once it is under way, rejects if it cannot start. In
   * worker mode it runs in the worker thread; otherwise here (with PROJECTIONS=off too: a rebuild works
   * whichever instance applies, and the applier, wherever it is, finds its checkpoint moved by the swap).
   */
  startRebuild(name: string): Promise<void> {
    this.applierOf(name);
    if (this.rebuildStarter) return this.rebuildStarter(name);
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
    this.advances.stop();
    for (const { abort } of this.rebuilds.values()) abort.abort();
    await Promise.all([...this.rebuilds.values()].map((r) => r.done));
    await Promise.all([...this.appliers.values()].map((applier) => applier.stop()));
    await this.session.close();
    await this.batchPool.end();
  }

  /** The later of what this process committed as the applier and what the applier elsewhere announced. */
  private knownCheckpoint(name: string): LogCheckpoint | undefined {
    const local = this.applierOf(name).appliedCheckpoint;
    const announced = this.known.get(name);
    if (!local || !announced) return local ?? announced;
    return compareCheckpoints(local, announced) >= 0 ? local : announced;
  }

  private recordCheckpoints(payload: string | undefined): void {
    if (this.known.recordPayload(payload)) this.reads.advanced();
  }

  /**
   * On (re)connecting the listener: what was announced while it was not listening reached nobody, and the
   * table has it. From then on every announcement reaches us, so reads need not query the table on an
   * instance that applies nothing (a second instance, the main thread in worker mode) until the log moves.
   * A failed read leaves the reads their own look at the table.
   */
  private async readCommittedCheckpoints(): Promise<void> {
    try {
      let moved = false;
      for (const [name, row] of await this.checkpoints.readMany(this.names)) moved = this.known.record(name, row.checkpoint) || moved;
      if (moved) this.reads.advanced();
    } catch {
      // as before: the reads query the table themselves
    }
  }

  private applierOf(name: string): LiveApplier {
    const applier = this.appliers.get(name);
    if (!applier) throw new NotFoundError(`No projection named ${name}`);
    return applier;
  }

  private register(projection: Projection): void {
    const { name } = projection;
    if (this.appliers.has(name)) throw new Error(`two projections are named ${name}: is a projection listed in two modules' providers?`);
    this.appliers.set(
      name,
      new LiveApplier(projection, {
        pool: this.batchPool,
        store: this.store,
        readNext: (client, after) => this.store.readLogBatch(after, LIVE_BATCH_SIZE, client),
        checkpoints: this.checkpoints,
        session: this.session,
        onAdvance: (name, checkpoint) => {
          this.reads.advanced();
          this.advances.advanced(name, checkpoint);
          for (const listener of this.advanceListeners) listener(name, checkpoint);
        },
      }),
    );
  }
}
