import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { fold, type Decider, type Projector } from './decider.js';
import { AggregateCache } from './aggregate-cache.js';
import { ConcurrencyError, DomainError, NotFoundError, WrongExpectedVersionError } from './errors.js';
import type { AppendResult, ExpectedVersion, NewEvent, StoredEvent } from './event.js';
import { EventStore } from './event-store.js';
import { KeyedQueue } from './keyed-queue.js';
import { commandRetries, commandsHandled, commandsRefused, concurrencyConflicts, eventsAppended } from '../observability/metrics.js';

/** Who issued a command and how: travels on every command into the events' metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  /** Id of the request that caused the events. */
  readonly causationId: string;
  /** From `If-Match`: the primary aggregate must be at this version. */
  readonly expectedVersion?: number;
  /**
   * The caller's own work that must commit with the events, given the command's answer (HTTP records
   * an `Idempotency-Key`'s answer here). It runs only when the command appends something.
   */
  readonly inTransaction?: (client: pg.PoolClient, result: CommandResult) => Promise<void>;
}

/** Every successful command answers this (checkout adds `cartId`). */
export interface CommandResult {
  readonly id: string;
  readonly version: number;
  readonly position: string;
  readonly [extra: string]: unknown;
}

export interface Loaded<S> {
  readonly state: S;
  readonly version: number;
  /** Position of the stream's last event ('0' for a new stream). */
  readonly position: string;
}

export interface PlannedAppend {
  readonly streamId: string;
  readonly streamType: string;
  readonly events: readonly NewEvent[];
  /** Defaults to the version this stream was loaded at in the same attempt. */
  readonly expectedVersion?: ExpectedVersion;
}

export interface Plan {
  readonly appends: readonly PlannedAppend[];
  /** The answer, given what the append wrote (or null when the command changed nothing). */
  readonly result: (appended: AppendResult | null) => CommandResult;
  /** Work that must commit with the events, e.g. claiming a unique SKU. */
  readonly inTransaction?: (client: pg.PoolClient) => Promise<void>;
}

export interface RunOptions extends Pick<Plan, 'inTransaction'> {
  /** Checks what the command needs of other streams (read through the session) before deciding. */
  readonly precondition?: (session: CommandSession) => Promise<void>;
}

/** The streams one attempt of a command has read, at which versions, and through which projector. */
export class CommandSession {
  readonly versions = new Map<string, number>();
  readonly loaded = new Map<string, { projector: Projector<unknown, NewEvent>; state: unknown }>();

  constructor(
    private readonly store: EventStore,
    /** Null when this attempt must read everything from the database. */
    private readonly cache: AggregateCache | null,
    private readonly context: CommandContext,
  ) {}

  /** Whether any state this attempt decided on came from the cache. */
  usedCache = false;

  /**
   * Loads and folds a stream (from the cache when warm). `primary` applies the command's `If-Match` to it.
   * With `streamType`, a stream of another type is not found: an id taken from a request may name a
   * stream of another kind (a cart's id sent as a product's), whose events this projector cannot fold.
   */
  async load<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, options: { primary?: boolean; streamType?: string } = {}): Promise<Loaded<S>> {
    const expected = options.primary ? this.context.expectedVersion : undefined;
    let loaded = this.cache?.get(projector, streamId);
    // A cached version that disagrees with If-Match may just be stale: only the database may say 412.
    if (loaded && (expected === undefined || loaded.version === expected)) {
      this.usedCache = true;
    } else {
      const events = (await this.store.readStream(streamId)) as unknown as StoredEvent<E>[];
      if (options.streamType !== undefined && events.length > 0 && events[0].streamType !== options.streamType) throw new NotFoundError();
      loaded = {
        state: fold(projector, events as unknown as E[]),
        version: events.length ? events[events.length - 1].version : 0,
        position: events.length ? events[events.length - 1].position : '0',
      };
      this.cache?.set(projector, streamId, loaded);
    }
    this.versions.set(streamId, loaded.version);
    this.loaded.set(streamId, { projector: projector as Projector<unknown, NewEvent>, state: loaded.state });
    if (expected !== undefined && expected !== loaded.version) {
      if (loaded.version === 0) throw new NotFoundError();
      throw new WrongExpectedVersionError(streamId, expected, loaded.version);
    }
    return loaded;
  }
}

const MAX_ATTEMPTS = 25;

/**
 * The one load-fold-decide-append loop. A command that lost an optimistic-concurrency race is decided
 * again against the new state (that is what makes the retry safe), up to MAX_ATTEMPTS times with
 * jittered backoff, before it answers CONCURRENCY_CONFLICT.
 */
@Injectable()
export class CommandRunner {
  private readonly queue = new KeyedQueue();
  private readonly cache = new AggregateCache();

  constructor(private readonly store: EventStore) {}

  /** Runs a single-aggregate command through its decider. */
  run<C, S, E extends NewEvent>(
    decider: Decider<C, S, E>,
    stream: { id: string; type: string },
    command: C,
    context: CommandContext,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    return this.execute(stream.id, context, async (session) => {
      const loaded = await session.load(decider, stream.id, { primary: true, streamType: stream.type });
      await options.precondition?.(session);
      const events = decider.decide(command, loaded.state);
      return {
        appends: [{ streamId: stream.id, streamType: stream.type, events }],
        result: (appended) => ({
          id: stream.id,
          version: appended?.versions.get(stream.id) ?? loaded.version,
          position: appended?.lastPosition ?? loaded.position,
        }),
        inTransaction: options.inTransaction,
      };
    });
  }

  /**
   * Runs `plan` (which loads through the session and decides) and appends what it decided, atomically
   * across streams. `key` serialises commands on one aggregate within this process.
   */
  execute(key: string, context: CommandContext, plan: (session: CommandSession) => Promise<Plan>): Promise<CommandResult> {
    const outcome = this.queue.run(key, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.attempt(context, plan);
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
          commandRetries.inc();
          // Someone appended since we read (or our cache was stale): decide again from the database.
          await sleep(Math.random() * Math.min(50, 2 * attempt));
        }
      }
    });
    return outcome.then(countHandled, countRefused);
  }

  private async attempt(context: CommandContext, makePlan: (session: CommandSession) => Promise<Plan>, fresh = false): Promise<CommandResult> {
    const session = new CommandSession(this.store, fresh ? null : this.cache, context);
    let plan: Plan;
    try {
      plan = await makePlan(session);
    } catch (error) {
      // A refusal decided on cached state may be a stale one: believe it only once the database agrees.
      if (session.usedCache && error instanceof DomainError) return this.retryFresh(session, context, makePlan);
      throw error;
    }
    const appends = plan.appends.filter((a) => a.events.length > 0);
    if (appends.length === 0) return session.usedCache ? this.retryFresh(session, context, makePlan) : plan.result(null);
    const streams = appends.map((a) => {
      const expectedVersion = a.expectedVersion ?? session.versions.get(a.streamId);
      if (expectedVersion === undefined) throw new Error(`stream ${a.streamId} was not loaded and has no expected version`);
      return { ...a, expectedVersion };
    });
    const metadata = { correlationId: context.correlationId, causationId: context.causationId, actor: context.actor };
    let result: CommandResult | undefined;
    const needsTransaction = plan.inTransaction !== undefined || context.inTransaction !== undefined;
    let appended: AppendResult;
    try {
      appended = await this.store.append(streams, metadata, {
        inTransaction: needsTransaction
          ? async (client, appendResult) => {
              await plan.inTransaction?.(client);
              result = plan.result(appendResult);
              await context.inTransaction?.(client, result);
            }
          : undefined,
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        concurrencyConflicts.inc();
        this.cache.forget([...session.loaded.keys(), ...streams.map((s) => s.streamId)]);
      }
      throw error;
    }
    eventsAppended.inc(appends.reduce((n, a) => n + a.events.length, 0));
    this.remember(session, streams, appended);
    return result ?? plan.result(appended);
  }

  private retryFresh(session: CommandSession, context: CommandContext, makePlan: (session: CommandSession) => Promise<Plan>): Promise<CommandResult> {
    this.cache.forget(session.loaded.keys());
    return this.attempt(context, makePlan, true);
  }

  /** Caches each appended stream's new state; a stream appended without being folded is forgotten. */
  private remember(session: CommandSession, streams: readonly PlannedAppend[], appended: AppendResult): void {
    for (const { streamId, events } of streams) {
      const loaded = session.loaded.get(streamId);
      const version = appended.versions.get(streamId);
      if (!loaded || version === undefined) {
        this.cache.forget([streamId]);
        continue;
      }
      const state = fold(loaded.projector, events, loaded.state);
      this.cache.set(loaded.projector, streamId, { state, version, position: appended.lastPosition });
    }
  }
}

function countHandled(result: CommandResult): CommandResult {
  commandsHandled.inc();
  return result;
}

function countRefused(error: unknown): never {
  commandsHandled.inc();
  if (error instanceof DomainError) commandsRefused.inc({ code: error.code });
  throw error;
}
