import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import { EventStore } from '../event-store/event-store.js';
import { NotFoundError } from '../event-store/errors.js';
import { CheckpointStore } from './checkpoint-store.js';
import { AppendBroadcast } from './append-broadcast.js';
import { ListenSession } from './listen-session.js';
import { BATCH_SIZE as LIVE_BATCH_SIZE, LiveApplier } from './live-applier.js';
import type { Projection } from './projection.js';
import { checkReadModelUsers, discoverProjections } from './projection-discovery.js';
import { readProjectionStatuses, type ProjectionStatus } from './projection-status.js';
import { ReadYourWrites } from './read-your-writes.js';
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

export type { ProjectionState, ProjectionStatus } from './projection-status.js';

/** Connections for live batches: enough for this project's projections to run theirs at the same time. */
const BATCH_POOL_SIZE = 8;

/**
 * Runs every projection (a provider marked @ProjectionProvider()): keeps each read model up to date from
 * the log, one applier per projection across instances, and answers when a position has been applied.
 */
@Injectable()
export class ProjectionRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly appliers = new Map<string, LiveApplier>();
  private readonly rebuilds = new Set<{ readonly abort: AbortController; readonly done: Promise<unknown> }>();
  private readonly reads: ReadYourWrites;
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
    this.reads = new ReadYourWrites({ store, checkpoints, localCheckpoint: (name) => this.applierOf(name).appliedCheckpoint });
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
        store: this.logReads,
        readNext: (client, after) => this.store.readLogBatch(after, LIVE_BATCH_SIZE, client),
        checkpoints: this.checkpoints,
        session: this.session,
        onAdvance: () => this.reads.advanced(),
      }),
    );
  }
}
