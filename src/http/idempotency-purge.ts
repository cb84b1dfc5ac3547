import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import { IDEMPOTENCY_RETENTION } from './idempotency-record.js';

/** How often expired records are purged. The table grows by at most a day's keyed commands meanwhile. */
export const PURGE_INTERVAL_MS = 10 * 60_000;
/** The first purge after start, so that a service restarted more often than the interval still purges. */
const FIRST_PURGE_MS = 60_000;
/** Rows per DELETE: each is its own short transaction, holding row locks on these rows only. */
export const PURGE_BATCH = 1_000;
/** Batches per run at most; what is left waits for the next run (a backlog never monopolises a connection). */
const MAX_BATCHES_PER_RUN = 100;

/**
 * Deletes one batch of records older than the retention as of $1 (the database's clock when null, the
 * clock the records were written and are read by). SKIP LOCKED: several instances purging at once take
 * different rows instead of waiting for each other, and a record a request is overwriting right now
 * (an expired key used afresh) is left to the next run. The oldest first, through the created_at index.
 */
const PURGE_SQL = `
DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
  SELECT ctid FROM idempotency_keys
  WHERE created_at <= coalesce($1::timestamptz, now()) - interval '${IDEMPOTENCY_RETENTION}'
  ORDER BY created_at
  LIMIT ${PURGE_BATCH}
  FOR UPDATE SKIP LOCKED))`;

/**
 * Purges idempotency records once they can no longer be replayed (the guard ignores them after
 * IDEMPOTENCY_RETENTION already; this keeps the table from growing without end), in bounded batches.
 */
@Injectable()
export class IdempotencyPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurge.name);
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  onApplicationBootstrap(): void {
    // unref: a pending purge never keeps the process alive.
    this.timers = [setTimeout(() => this.runInBackground(), FIRST_PURGE_MS).unref(), setInterval(() => this.runInBackground(), PURGE_INTERVAL_MS).unref()];
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.running;
  }

  /**
   * Deletes the records that expired as of `now` (default: the database's clock), batch by batch,
   * until none is left or the run's bound is reached. Returns how many it deleted.
   */
  async purge(now?: Date): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.stopped; batch++) {
      const { rowCount } = await this.pool.query(PURGE_SQL, [now ?? null]);
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < PURGE_BATCH) break;
    }
    return deleted;
  }

  private runInBackground(): void {
    if (this.running || this.stopped) return;
    this.running = this.purge()
      .then(
        (deleted) => deleted > 0 && this.logger.log(`purged ${deleted} expired idempotency records`),
        (error: unknown) => this.logger.warn(`purging expired idempotency records failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (this.running = undefined));
  }
}
