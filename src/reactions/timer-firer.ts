import { Logger } from '@nestjs/common';
import { isConnectionError } from '../database/connection-loss.js';
import { describeError } from '../projections/batch-applier.js';
import type { ListenSession } from '../projections/listen-session.js';
import { lockKey } from '../projections/projection-locks.js';
import type { Clock } from './clock.js';
import { LockedLoop } from './locked-loop.js';
import type { TimerContext, TimerHandler } from './timer.js';
import type { PendingTimer, TimerStore } from './timer-store.js';

/** Due timers fired per look at the table. */
const BATCH_SIZE = 50;
/**
 * The longest sleep between looks: a bound, in case a wake-up was missed (a notification lost while the
 * listener reconnected) or the clock jumped. Timers scheduled for earlier than this wake the firer.
 */
export const MAX_SLEEP_MS = 60_000;
/** A failing timer is retried doubling from 1 s up to 10 minutes. */
const RETRY_BASE_MS = 1_000;
const RETRY_CAP_MS = 10 * 60_000;
const UNAVAILABLE_BASE_MS = 250;
const UNAVAILABLE_CAP_MS = 2_000;

/** The timer was fired by another instance meanwhile: the command's append must not commit. */
export class TimerTakenError extends Error {
  constructor(id: string) {
    super(`timer ${id} was fired elsewhere`);
  }
}

/**
 * What a timer's handler gets: the time, and the context of its one command, whose `inTransaction`
 * claims the timer in the append's transaction (TimerStore.claim) and refuses the append if it is taken.
 */
export function timerContext(store: TimerStore, timer: PendingTimer, now: Date): TimerContext {
  return {
    id: timer.id,
    dueAt: timer.dueAt,
    now,
    command: {
      actor: 'system',
      correlationId: timer.correlationId ?? timer.id,
      causationId: timer.id,
      inTransaction: async (client) => {
        if (!(await store.claim(client, timer.id, now))) throw new TimerTakenError(timer.id);
      },
    },
  };
}

export interface TimerFirerDeps {
  readonly store: TimerStore;
  readonly session: ListenSession;
  readonly clock: Clock;
  readonly handlers: ReadonlyMap<string, TimerHandler>;
}

/**
 * Fires due timers while this instance holds the `timers` lock (one firer across instances). It sleeps
 * until the earliest pending timer is due (at most MAX_SLEEP_MS), woken when an earlier one is
 * scheduled or the clock jumps; a timer that fell due while no instance ran is due at once on start.
 * Once, whatever the instances do: the command's append marks the timer fired in its own transaction,
 * and refuses to commit if it was fired already (TimerStore.claim).
 */
export class TimerFirer extends LockedLoop {
  private readonly logger = new Logger('ReactionRunner');
  private outages = 0;

  constructor(private readonly deps: TimerFirerDeps) {
    super(deps.session, lockKey('timers', 'timers'));
  }

  protected acquired(): void {
    this.logger.log('firing timers');
  }

  protected async turn(): Promise<void> {
    let sleepMs: number;
    try {
      sleepMs = await this.step();
      if (this.outages > 0) this.logger.log('the timer firer reaches the database again');
      this.outages = 0;
    } catch (error) {
      if (!isConnectionError(error)) this.logger.error(`firing timers failed: ${describeError(error)}`);
      else if (this.outages === 0) this.logger.warn(`the timer firer waits for the database: ${describeError(error)}`);
      sleepMs = Math.min(UNAVAILABLE_CAP_MS, UNAVAILABLE_BASE_MS * 2 ** this.outages++);
    }
    if (sleepMs > 0) await this.signal.wait(sleepMs);
  }

  /** Fires what is due; answers how long to sleep before looking again. */
  private async step(): Promise<number> {
    const due = await this.deps.store.due(this.deps.clock.now(), BATCH_SIZE);
    for (const timer of due) {
      if (this.signal.closed || !this.active) return 0;
      await this.fire(timer);
    }
    if (due.length === BATCH_SIZE) return 0;
    const next = await this.deps.store.nextAttemptAt();
    if (!next) return MAX_SLEEP_MS;
    return Math.max(0, Math.min(MAX_SLEEP_MS, next.getTime() - this.deps.clock.now().getTime()));
  }

  private async fire(timer: PendingTimer): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const handler = this.deps.handlers.get(timer.name);
    try {
      if (!handler) throw new Error(`no timer handler is named ${timer.name}`);
      await handler.fire(timer.payload, timerContext(store, timer, now));
      // Fired with the command's events already, unless the command had nothing to append.
      await store.settle(timer.id, now);
    } catch (error) {
      if (error instanceof TimerTakenError) return;
      if (isConnectionError(error)) throw error;
      const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** timer.attempts);
      await store.failed(timer.id, describeError(error), new Date(now.getTime() + delay));
      this.logger.error(`timer ${timer.name} ${timer.id} failed (attempt ${timer.attempts + 1}, retrying in ${delay} ms): ${describeError(error)}`);
    }
  }
}
