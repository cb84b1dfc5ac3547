import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PG_POOL } from '../database/database.tokens.js';
import { EventStore } from '../event-store/event-store.js';
import { CHANNEL as APPENDS_CHANNEL, ListenSession } from '../projections/listen-session.js';
import { CLOCK, type Clock } from './clock.js';
import { discoverReactions, discoverTimerHandlers } from './reaction-discovery.js';
import { ReactionCheckpoints, type ReactionStatus } from './reaction-checkpoints.js';
import { ReactionReader } from './reaction-reader.js';
import { TimerFirer } from './timer-firer.js';
import { TimerStore, type TimersSummary } from './timer-store.js';
import { Timers, TIMERS_CHANNEL } from './timers.js';

/**
 * Runs every reaction (a provider marked @ReactionProvider()) and fires due timers (handled by providers
 * marked @TimerProvider()). One connection of its own LISTENs for appends and scheduled timers and holds
 * the session locks that make one instance run each reaction, and one fire the timers; another instance
 * takes over within a second of that connection going. Only where PROJECTIONS is `inline` (the worker
 * thread, a projector process): elsewhere it reads the statuses and runs nothing.
 */
@Injectable()
export class ReactionRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly readers = new Map<string, ReactionReader>();
  private readonly session: ListenSession;
  private readonly checkpoints: ReactionCheckpoints;
  private readonly timerStore: TimerStore;
  private firer: TimerFirer | undefined;
  private unsubscribe: (() => void)[] = [];
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    private readonly store: EventStore,
    private readonly timers: Timers,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    this.session = new ListenSession(
      { ...pool.options, application_name: 'eventshop-reactions' },
      {
        // Appends wake the readers, timer notifications the firer; a reconnect (no channel) both.
        onNotify: (channel) => {
          if (channel !== TIMERS_CHANNEL) this.readers.forEach((reader) => reader.wake());
          if (channel !== APPENDS_CHANNEL) this.firer?.wake();
        },
        // Nothing to do but wait: each loop sees its lock's generation is gone and tries again.
        onLost: () => undefined,
      },
      [APPENDS_CHANNEL, TIMERS_CHANNEL],
      config.instanceId,
    );
    this.checkpoints = new ReactionCheckpoints(pool);
    this.timerStore = new TimerStore(pool);
  }

  /** The reactions this runner found, by name. */
  get names(): string[] {
    return [...this.readers.keys()].sort();
  }

  async onModuleInit(): Promise<void> {
    for (const reaction of discoverReactions(this.discovery, this.reflector)) {
      this.readers.set(reaction.name, new ReactionReader(reaction, { store: this.store, checkpoints: this.checkpoints, session: this.session }));
    }
    const handlers = new Map(discoverTimerHandlers(this.discovery, this.reflector).map((handler) => [handler.name, handler]));
    this.firer = new TimerFirer({ store: this.timerStore, session: this.session, clock: this.clock, handlers });
    if (this.readers.size > 0) await this.checkpoints.ensure(this.names);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.started || !this.config.runsBackgroundWork) return;
    this.started = true;
    await this.session.open();
    this.unsubscribe = [
      // Our own appends; other instances' arrive as notifications (the projection runner announces ours).
      this.store.onAppended(() => this.readers.forEach((reader) => reader.wake())),
      this.timers.onScheduled(() => this.firer?.wake()),
      this.clock.onJump(() => this.firer?.wake()),
    ];
    for (const reader of this.readers.values()) reader.start();
    this.firer?.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  /** Whether this instance runs the reaction right now. */
  isRunning(name: string): boolean {
    return this.readers.get(name)?.active ?? false;
  }

  /** Whether this instance fires the timers right now. */
  get firesTimers(): boolean {
    return this.firer?.active ?? false;
  }

  /** Each reaction's status, as its checkpoint row says (whichever instance runs it). */
  statuses(): Promise<ReactionStatus[]> {
    return this.checkpoints.statuses(this.names);
  }

  /** How many timers are pending, overdue and failing. */
  timersSummary(): Promise<TimersSummary> {
    return this.timerStore.summary(this.clock.now());
  }

  private async stop(): Promise<void> {
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
    await Promise.all([...this.readers.values()].map((reader) => reader.stop()));
    await this.firer?.stop();
    await this.session.close();
  }
}
