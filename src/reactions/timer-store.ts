import type pg from 'pg';
import type { TimerRequest } from './timer.js';

/** A timer not fired yet. */
export interface PendingTimer {
  readonly id: string;
  readonly name: string;
  readonly dueAt: Date;
  readonly payload: unknown;
  readonly correlationId: string | null;
  readonly attempts: number;
}

/** What /health shows of the timers. */
export interface TimersSummary {
  readonly pending: number;
  /** Pending timers whose due time has passed (a few for a moment is normal; many, or for long, is not). */
  readonly overdue: number;
  /** Pending timers whose last attempt failed, and the latest such error. */
  readonly failing: number;
  readonly lastError?: string;
}

interface Row {
  id: string;
  name: string;
  due_at: Date;
  payload: unknown;
  correlation_id: string | null;
  attempts: number;
}

/** The `timers` table. Every time comes from the caller (the injected clock), never from now(). */
export class TimerStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts the timer unless one with its id exists: true if this call scheduled it. */
  async insert(request: TimerRequest, db: pg.Pool | pg.PoolClient = this.pool): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO timers (id, name, due_at, next_attempt_at, payload, correlation_id) VALUES ($1, $2, $3, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [request.id, request.name, request.dueAt, JSON.stringify(request.payload), request.correlationId ?? null],
    );
    return rowCount === 1;
  }

  /** Timers to attempt now, earliest first. */
  async due(now: Date, limit: number): Promise<PendingTimer[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, name, due_at, payload, correlation_id, attempts FROM timers
       WHERE fired_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((row) => ({ id: row.id, name: row.name, dueAt: row.due_at, payload: row.payload, correlationId: row.correlation_id, attempts: row.attempts }));
  }

  /** When the earliest pending timer is next to be attempted. */
  async nextAttemptAt(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: Date | null }>(`SELECT min(next_attempt_at) AS at FROM timers WHERE fired_at IS NULL`);
    return rows[0].at ?? undefined;
  }

  /**
   * In the transaction of the command the timer fires: marks it fired, unless it is fired already or
   * being fired by a transaction still running (SKIP LOCKED: no waiting). False means the command must
   * not commit.
   */
  async claim(client: pg.PoolClient, id: string, now: Date): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE timers SET fired_at = $2, last_error = NULL
       WHERE id = (SELECT id FROM timers WHERE id = $1 AND fired_at IS NULL FOR UPDATE SKIP LOCKED)`,
      [id, now],
    );
    return rowCount === 1;
  }

  /** Marks the timer fired when its command had nothing to append (a no-op if it is fired already). */
  async settle(id: string, now: Date): Promise<void> {
    await this.pool.query(`UPDATE timers SET fired_at = $2, last_error = NULL WHERE id = $1 AND fired_at IS NULL`, [id, now]);
  }

  async failed(id: string, error: string, retryAt: Date): Promise<void> {
    await this.pool.query(
      `UPDATE timers SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1 AND fired_at IS NULL`,
      [id, error, retryAt],
    );
  }

  async summary(now: Date): Promise<TimersSummary> {
    const { rows } = await this.pool.query<{ pending: number; overdue: number; failing: number; last_error: string | null }>(
      `SELECT count(*)::int AS pending,
              count(*) FILTER (WHERE due_at <= $1)::int AS overdue,
              count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failing,
              (SELECT last_error FROM timers WHERE fired_at IS NULL AND last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1) AS last_error
       FROM timers WHERE fired_at IS NULL`,
      [now],
    );
    const { pending, overdue, failing, last_error } = rows[0];
    return { pending, overdue, failing, ...(last_error ? { lastError: last_error } : {}) };
  }
}
