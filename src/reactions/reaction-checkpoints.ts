import type pg from 'pg';
import type { LogCheckpoint } from '../event-store/event.js';

export interface ReactionStatus {
  readonly name: string;
  readonly status: 'running' | 'failed';
  /** The global position of the last event handled ('0': none yet). */
  readonly position: string;
  readonly lastError?: string;
  /** The event it fails on, retried with backoff. */
  readonly failedPosition?: string;
}

interface Row {
  name: string;
  transaction_id: string;
  position: string;
  status: 'running' | 'failed';
  last_error: string | null;
  failed_position: string | null;
}

/** The `reaction_checkpoints` table: where each reaction has got to in the log, and how it fares. */
export class ReactionCheckpoints {
  constructor(private readonly pool: pg.Pool) {}

  async ensure(names: readonly string[]): Promise<void> {
    await this.pool.query(`INSERT INTO reaction_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [names]);
  }

  async read(name: string): Promise<LogCheckpoint> {
    const { rows } = await this.pool.query<Row>(`SELECT transaction_id, position FROM reaction_checkpoints WHERE name = $1`, [name]);
    if (rows.length === 0) throw new Error(`reaction ${name} has no checkpoint row`);
    return { transactionId: rows[0].transaction_id, position: rows[0].position };
  }

  /**
   * Moves the checkpoint from `from` to `to`, only if it is still at `from` (false: another instance moved
   * it, e.g. after this one lost its lock). Clears a failure: the event it failed on has been handled.
   */
  async advance(name: string, from: LogCheckpoint, to: LogCheckpoint): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE reaction_checkpoints
       SET transaction_id = $4, position = $5, status = 'running', last_error = NULL, failed_position = NULL, updated_at = now()
       WHERE name = $1 AND transaction_id = $2::xid8 AND position = $3`,
      [name, from.transactionId, from.position, to.transactionId, to.position],
    );
    return rowCount === 1;
  }

  async markFailed(name: string, error: string, position: string): Promise<void> {
    await this.pool.query(
      `UPDATE reaction_checkpoints SET status = 'failed', last_error = $2, failed_position = $3, updated_at = now() WHERE name = $1`,
      [name, error, position],
    );
  }

  async statuses(names: readonly string[]): Promise<ReactionStatus[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM reaction_checkpoints WHERE name = ANY($1::text[]) ORDER BY name`, [names]);
    return rows.map((row) => ({
      name: row.name,
      status: row.status,
      position: row.position,
      ...(row.last_error ? { lastError: row.last_error } : {}),
      ...(row.failed_position ? { failedPosition: row.failed_position } : {}),
    }));
  }
}
