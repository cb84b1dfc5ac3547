import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import { CLOCK, type Clock } from './clock.js';
import type { TimerRequest } from './timer.js';
import { MAX_SLEEP_MS } from './timer-firer.js';
import { TimerStore } from './timer-store.js';

/** The channel that tells every instance's timer firer a timer falls due before it would look again. */
export const TIMERS_CHANNEL = 'timers_scheduled';

/** What modules inject to schedule a command for later (see TimerHandler for the firing side). */
@Injectable()
export class Timers {
  private readonly store: TimerStore;
  private readonly listeners = new Set<() => void>();

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.store = new TimerStore(pool);
  }

  /**
   * Schedules the handler named `request.name` to fire at `request.dueAt` (at once if that has passed),
   * durably: it survives restarts and fires on whichever instance fires timers then. Idempotent by
   * `request.id`: answers false, changing nothing, if that timer was scheduled before.
   */
  async schedule<P>(request: TimerRequest<P>): Promise<boolean> {
    const scheduled = await this.store.insert(request);
    // A firer sleeps MAX_SLEEP_MS at most: only an earlier timer needs to wake it. The NOTIFY goes in a
    // statement of its own, after the insert committed (see AppendBroadcast on notifying transactions).
    if (scheduled && request.dueAt.getTime() - this.clock.now().getTime() < MAX_SLEEP_MS) {
      for (const listener of this.listeners) listener();
      await this.pool.query(`SELECT pg_notify('${TIMERS_CHANNEL}', '')`).catch(() => undefined);
    }
    return scheduled;
  }

  /** Calls `listener` when this instance schedules a timer due soon. */
  onScheduled(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
