import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Optional } from '@nestjs/common';
import type pg from 'pg';
import { fold, type Decider, type Decision, type NoReads, type OtherStreamAppend } from './decider.js';
import { AggregateCache } from './aggregate-cache.js';
import { CommandSession } from './command-session.js';
import { ConcurrencyError, DomainError } from './errors.js';
import type { AppendResult, ExpectedVersion, NewEvent } from './event.js';
import { EventStore } from './event-store.js';
import { KeyedQueue } from './keyed-queue.js';
import { SnapshotStore } from './snapshot-store.js';
import { loadReads, type Reads } from './stream-reads.js';
import { commandRetries, commandsHandled, commandsRefused, concurrencyConflicts, eventsAppended } from '../observability/metrics.js';

export { CommandSession, type Loaded } from './command-session.js';

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

/** The command's own stream: its id and the type a stream of that id must have. */
export interface StreamRef {
  readonly id: string;
  readonly type: string;
}

export interface RunOptions<S, R> extends Pick<Plan, 'inTransaction'> {
  /**
   * The other streams the decision reads, by the names of the decider's `reads` (see stream-reads.ts);
   * a function of the command's own state when which streams depends on it (a cart's products).
   */
  readonly reads?: Reads<R> | ((state: S) => Reads<R>);
  /** The command answers for this stream, with these extra fields, instead of its own (checkout: the new order). */
  readonly answerFor?: { readonly id: string; readonly [extra: string]: unknown };
}

/** `options`: without `reads` for a decider that reads nothing; required with them when it must read. */
type RunOptionsArg<S, R> = [keyof R] extends [never]
  ? [options?: RunOptions<S, R> & { readonly reads?: never }]
  : NoReads extends R
    ? [options?: RunOptions<S, R>]
    : [options: RunOptions<S, R> & Required<Pick<RunOptions<S, R>, 'reads'>>];

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

  constructor(
    private readonly store: EventStore,
    /** Without it (kernel tests that build a runner by hand), loads fold whole streams. */
    @Optional() private readonly snapshots?: SnapshotStore,
  ) {}

  /**
   * Runs a command through its decider: loads the command's own stream and the streams it reads,
   * decides, and appends the decision (to other streams too, for a SpanningDecision) atomically, with
   * the version of every stream appended to or guarded. A conflict decides again on the new state.
   */
  run<C, S, E extends NewEvent, R, D extends Decision<E>>(
    decider: Decider<C, S, E, R, D>,
    stream: StreamRef,
    command: C,
    context: CommandContext,
    ...[options = {}]: RunOptionsArg<S, NoInfer<R>>
  ): Promise<CommandResult> {
    const answer = options.answerFor ?? { id: stream.id };
    return this.execute(stream.id, context, async (session) => {
      const loaded = await session.load(decider, stream.id, { primary: true, streamType: stream.type });
      const named = typeof options.reads === 'function' ? options.reads(loaded.state) : options.reads;
      const reads = named ? await loadReads(session, named) : ({} as R);
      const decision: Decision<E> = decider.decide(command, loaded.state, reads);
      const { events, also } = Array.isArray(decision) ? { events: decision, also: [] } : decision;
      return {
        appends: [{ streamId: stream.id, streamType: stream.type, events }, ...also.map(toPlannedAppend)],
        result: (appended) => ({
          ...answer,
          version: appended?.versions.get(answer.id) ?? (answer.id === stream.id ? loaded.version : 0),
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
    const session = new CommandSession(this.store, fresh ? null : this.cache, context, this.snapshots);
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
    // A guarded stream appended to at a known version is checked by that already.
    const checked = new Set(streams.filter((s) => s.expectedVersion !== 'any').map((s) => s.streamId));
    const guards = [...session.guarded].filter((id) => !checked.has(id)).map((streamId) => ({ streamId, version: session.versions.get(streamId) ?? 0 }));
    const metadata = { correlationId: context.correlationId, causationId: context.causationId, actor: context.actor };
    let result: CommandResult | undefined;
    const needsTransaction = plan.inTransaction !== undefined || context.inTransaction !== undefined;
    let appended: AppendResult;
    try {
      appended = await this.store.append(streams, metadata, {
        guards,
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

  /**
   * Caches each appended stream's new state. A stream appended without being folded is forgotten, and
   * so is one appended at 'any' on top of events this attempt did not fold.
   */
  private remember(session: CommandSession, streams: readonly PlannedAppend[], appended: AppendResult): void {
    for (const { streamId, streamType, events } of streams) {
      const loaded = session.loaded.get(streamId);
      const version = appended.versions.get(streamId);
      if (!loaded || version === undefined || version !== (session.versions.get(streamId) ?? 0) + events.length) {
        this.cache.forget([streamId]);
        continue;
      }
      const state = fold(loaded.projector, events, loaded.state);
      const entry = { state, version, position: appended.lastPosition, streamType, snapshotVersion: loaded.snapshotVersion };
      // Every `SNAPSHOT_EVERY` events, a snapshot is stored behind the command's back (no wait, no query otherwise).
      const snapshotVersion = this.snapshots?.consider(loaded.projector, streamId, entry) ?? loaded.snapshotVersion;
      this.cache.appended(loaded.projector, streamId, { ...entry, snapshotVersion });
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

function toPlannedAppend({ streamId, streamType, events, expect = 'read' }: OtherStreamAppend): PlannedAppend {
  return { streamId, streamType, events, expectedVersion: expect === 'new' ? 0 : expect === 'any' ? 'any' : undefined };
}
