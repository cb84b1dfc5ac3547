import { Logger } from '@nestjs/common';
import { isConnectionError } from '../database/connection-loss.js';
import type { LogCheckpoint, StoredEvent } from '../event-store/event.js';
import type { EventStore } from '../event-store/event-store.js';
import { describeError } from '../projections/batch-applier.js';
import { checkpointOfEvent } from '../projections/checkpoint-store.js';
import type { ListenSession } from '../projections/listen-session.js';
import { lockKey } from '../projections/projection-locks.js';
import { LockedLoop } from './locked-loop.js';
import type { Reaction } from './reaction.js';
import type { ReactionCheckpoints } from './reaction-checkpoints.js';

/**
 * Events per read. Effects run one at a time, so a batch is not about round trips as in projections: it
 * bounds how much is handled again after a crash (the checkpoint moves after each batch).
 */
export const BATCH_SIZE = 100;
/**
 * A batch holding no event the reaction handles moves the checkpoint in memory only, and the table at
 * most this often: under load each wake reads a few events, and a synchronous UPDATE for each read was
 * most of what a reaction cost the database. Events re-read after a crash or a lock change are ones it
 * has no handler for, so nothing is done twice for it.
 */
const SKIP_WRITE_MS = 1_000;
/** Fallback when no notification arrives (another instance's appends are announced at most every 5 ms). */
const POLL_MS = 500;
/** Committed events held back by an older append still running: look again soon. */
const HELD_BACK_MS = 20;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 30_000;
/** While the database is unreachable (not the reaction's failure): retry doubling up to 2 s. */
const UNAVAILABLE_CAP_MS = 2_000;

type Outcome = 'more' | 'idle' | 'held-back' | 'moved' | 'failed' | 'unavailable';

export interface ReactionReaderDeps {
  readonly store: Pick<EventStore, 'readLogBatch'>;
  readonly checkpoints: ReactionCheckpoints;
  readonly session: ListenSession;
}

/** A handler threw on `events[index]`. */
class HandlerError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

/**
 * Runs one reaction while this instance holds its lock: reads the log after the reaction's checkpoint
 * (gap-safe, as projections do: EventStore.readLogBatch), hands each event it has a handler for to that
 * handler, one after another, then moves the checkpoint. At least once: a crash between an effect and
 * the checkpoint's move hands the event over again. A handler that throws stops the reaction at that
 * event (status `failed`), retried with exponential backoff up to 30 s; the events before it are kept.
 */
export class ReactionReader extends LockedLoop {
  private readonly logger = new Logger('ReactionRunner');
  private readonly handlers: Readonly<Record<string, ((event: StoredEvent) => Promise<void>) | undefined>>;
  /** How far the reaction has read; undefined means "read it from the table first". */
  private checkpoint: LogCheckpoint | undefined;
  /** The checkpoint as the table holds it (behind `checkpoint` while skips are not written yet). */
  private stored: LogCheckpoint | undefined;
  private storedAt = 0;
  private failures = 0;
  private outages = 0;

  constructor(
    readonly reaction: Reaction,
    private readonly deps: ReactionReaderDeps,
  ) {
    super(deps.session, lockKey('reaction', reaction.name));
    // Typed per event type where declared; here every handler takes the event its type names.
    this.handlers = reaction.handlers as Record<string, ((event: StoredEvent) => Promise<void>) | undefined>;
  }

  protected acquired(): void {
    this.checkpoint = this.stored = undefined;
    this.logger.log(`running reaction ${this.reaction.name}`);
  }

  protected async turn(): Promise<void> {
    const outcome = await this.step();
    if (outcome === 'more' || outcome === 'moved') return;
    if (outcome === 'failed') await this.signal.wait(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1)), false);
    else if (outcome === 'unavailable') await this.signal.wait(Math.min(UNAVAILABLE_CAP_MS, BACKOFF_BASE_MS * 2 ** (this.outages - 1)));
    else if (outcome === 'held-back') await this.signal.wait(HELD_BACK_MS, false);
    else await this.signal.wait(POLL_MS);
  }

  private async step(): Promise<Outcome> {
    const name = this.reaction.name;
    let from: LogCheckpoint | undefined;
    let events: StoredEvent[] = [];
    try {
      if (!this.checkpoint) {
        this.stored = this.checkpoint = await this.deps.checkpoints.read(name);
        this.storedAt = Date.now();
      }
      from = this.checkpoint;
      const read = await this.deps.store.readLogBatch(from, BATCH_SIZE);
      events = read.events;
      if (this.outages > 0) this.logger.log(`reaction ${name} reaches the database again`);
      this.outages = 0;
      if (events.length === 0 && this.checkpoint !== this.stored && Date.now() - this.storedAt >= SKIP_WRITE_MS) {
        if (!(await this.advance(this.checkpoint))) return 'moved';
      }
      if (events.length > 0) {
        const handled = await this.handle(events);
        if (handled === 0) return 'idle';
        const to = checkpointOfEvent(events[handled - 1]);
        const effects = events.slice(0, handled).some((event) => this.handlers[event.type]);
        if (!effects && Date.now() - this.storedAt < SKIP_WRITE_MS) this.checkpoint = to;
        else if (!(await this.advance(to))) return 'moved';
        if (this.failures > 0) this.logger.log(`reaction ${name} recovered`);
        this.failures = 0;
        if (handled < events.length) return 'more';
      }
      if (events.length === BATCH_SIZE) return 'more';
      return read.heldBack ? 'held-back' : 'idle';
    } catch (error) {
      return this.fail(error, events, from);
    }
  }

  /**
   * Hands the events over in order; answers how many were. Stops early when the reader is stopping or
   * has lost its lock: the rest is for the next batch, or for the instance that runs the reaction now.
   */
  private async handle(events: readonly StoredEvent[]): Promise<number> {
    for (const [index, event] of events.entries()) {
      if (this.signal.closed || !this.active) return index;
      const handler = this.handlers[event.type];
      if (!handler) continue;
      try {
        await handler(event);
      } catch (error) {
        throw new HandlerError(index, error);
      }
    }
    return events.length;
  }

  /** Moves the table's checkpoint from what it holds (as far as this instance knows) to `to`. */
  private async advance(to: LogCheckpoint): Promise<boolean> {
    const moved = await this.deps.checkpoints.advance(this.reaction.name, this.stored!, to);
    // Someone else moved it (this instance lost its lock meanwhile): start again from the table.
    this.checkpoint = this.stored = moved ? to : undefined;
    this.storedAt = Date.now();
    return moved;
  }

  /**
   * Keeps what was handled before the failing event (its checkpoint moves to just before it) and marks
   * the reaction failed at that event. An unreachable database is not the reaction's failure.
   */
  private async fail(error: unknown, events: readonly StoredEvent[], from: LogCheckpoint | undefined): Promise<Outcome> {
    const name = this.reaction.name;
    const cause = error instanceof HandlerError ? error.cause : error;
    if (isConnectionError(cause)) {
      this.checkpoint = undefined;
      if (this.outages++ === 0) this.logger.warn(`reaction ${name} waits for the database: ${describeError(cause)}`);
      return 'unavailable';
    }
    if (error instanceof HandlerError && from) {
      if (error.index > 0) await this.advance(checkpointOfEvent(events[error.index - 1])).catch(() => undefined);
      await this.deps.checkpoints.markFailed(name, describeError(cause), events[error.index].position).catch(() => undefined);
    }
    this.failures++;
    const at = error instanceof HandlerError ? ` on ${events[error.index].type} at position ${events[error.index].position}` : '';
    this.logger.error(`reaction ${name} failed${at} (attempt ${this.failures}, retrying with backoff): ${describeError(cause)}`);
    return 'failed';
  }
}
