import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import { LOG_START, type LogCheckpoint } from '../event-store/event.js';
import { CheckpointSkips, type SkipOutcome } from './checkpoint-skips.js';

export interface CheckpointRow {
  readonly name: string;
  /** The last applied event, in log order. */
  readonly checkpoint: LogCheckpoint;
  readonly status: 'running' | 'failed';
  readonly lastError: string | null;
  /** The event the projection failed on. */
  readonly failedPosition: string | null;
  /** Where the running (or last, kept) rebuild's shadow tables have got to. */
  readonly rebuildCheckpoint: LogCheckpoint | null;
  readonly rebuildError: string | null;
}

interface Row {
  name: string;
  transaction_id: string;
  position: string;
  status: 'running' | 'failed';
  last_error: string | null;
  failed_position: string | null;
  rebuild_transaction_id: string | null;
  rebuild_position: string | null;
  rebuild_error: string | null;
}

type Db = pg.Pool | pg.PoolClient;

/** SQLSTATE raised by advance_projection_checkpoint() when the checkpoint is not where the batch began. */
const CHECKPOINT_MOVED = 'ES409';

/** Orders two log checkpoints as the log is read: by transaction, then position. */
export function compareCheckpoints(a: LogCheckpoint, b: LogCheckpoint): number {
  const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (byTransaction !== 0n) return byTransaction < 0n ? -1 : 1;
  const byPosition = BigInt(a.position) - BigInt(b.position);
  return byPosition === 0n ? 0 : byPosition < 0n ? -1 : 1;
}

export function checkpointOfEvent(event: { transactionId: string; position: string }): LogCheckpoint {
  return { transactionId: event.transactionId, position: event.position };
}

/** The `projection_checkpoints` table: one row per projection. */
@Injectable()
export class CheckpointStore {
  private readonly skips: CheckpointSkips;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {
    this.skips = new CheckpointSkips(pool);
  }

  async ensure(names: readonly string[]): Promise<void> {
    await this.pool.query(`INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [names]);
  }

  async read(name: string, db: Db = this.pool): Promise<CheckpointRow> {
    const row = (await this.readMany([name], db)).get(name);
    if (!row) throw new Error(`projection ${name} has no checkpoint row`);
    return row;
  }

  async readMany(names: readonly string[], db: Db = this.pool): Promise<Map<string, CheckpointRow>> {
    const { rows } = await db.query<Row>(`SELECT * FROM projection_checkpoints WHERE name = ANY($1::text[])`, [names]);
    return new Map(rows.map((row) => [row.name, toCheckpointRow(row)]));
  }

  /**
   * Moves the live checkpoint from `from` to `to` and commits the batch's transaction, in one round trip,
   * and only if the checkpoint is still at `from`: false means someone else (another applier, a rebuild's
   * swap) moved it; the transaction is then left aborted, for the caller to roll back. One simple-protocol
   * string, so the values go in as literals: checked to be what they claim before they are quoted.
   */
  async advanceAndCommit(client: pg.PoolClient, name: string, from: LogCheckpoint, to: LogCheckpoint): Promise<boolean> {
    const numbers = [from.transactionId, from.position, to.transactionId, to.position].map((value) => {
      if (!/^\d+$/.test(value)) throw new Error(`not a log checkpoint value: ${value}`);
      return pg.escapeLiteral(value);
    });
    try {
      await client.query(`SELECT advance_projection_checkpoint(${pg.escapeLiteral(name)}, ${numbers.join(', ')}); COMMIT`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === CHECKPOINT_MOVED) return false;
      throw error;
    }
  }

  /**
   * Moves the live checkpoint past events the projection does not handle: the same compare-and-set as
   * advance(), in its own transaction, unless a rebuild holds the projection paused (the batch lock,
   * taken for the statement only). Most batches of most projections are of this kind, so this saves
   * four round trips on each, and the skips of one turn of the event loop share one statement
   * (checkpoint-skips.ts).
   */
  skip(name: string, from: LogCheckpoint, to: LogCheckpoint, batchLock: readonly [number, number]): Promise<SkipOutcome> {
    return this.skips.skip({ name, from, to, batchLock });
  }

  /** The same compare-and-set for the shadow tables' checkpoint during a rebuild. */
  async advanceRebuild(client: pg.PoolClient, name: string, from: LogCheckpoint, to: LogCheckpoint): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE projection_checkpoints SET rebuild_transaction_id = $4, rebuild_position = $5, updated_at = now()
       WHERE name = $1 AND rebuild_transaction_id = $2::xid8 AND rebuild_position = $3`,
      [name, from.transactionId, from.position, to.transactionId, to.position],
    );
    return rowCount === 1;
  }

  async markFailed(name: string, error: string, position: string | null): Promise<void> {
    await this.pool.query(
      `UPDATE projection_checkpoints SET status = 'failed', last_error = $2, failed_position = $3, updated_at = now() WHERE name = $1`,
      [name, error, position],
    );
  }

  async startRebuild(db: Db, name: string): Promise<void> {
    await db.query(
      `UPDATE projection_checkpoints
       SET rebuild_transaction_id = $2, rebuild_position = $3, rebuild_started_at = now(), rebuild_error = NULL, updated_at = now()
       WHERE name = $1`,
      [name, LOG_START.transactionId, LOG_START.position],
    );
  }

  /** In the swap's transaction: the live tables now hold what the rebuild built, up to `to`. */
  async completeRebuild(client: pg.PoolClient, name: string, to: LogCheckpoint): Promise<void> {
    await client.query(
      `UPDATE projection_checkpoints
       SET transaction_id = $2, position = $3, status = 'running', last_error = NULL, failed_position = NULL,
           rebuild_transaction_id = NULL, rebuild_position = NULL, rebuild_started_at = NULL, updated_at = now()
       WHERE name = $1`,
      [name, to.transactionId, to.position],
    );
  }

  async abandonRebuild(name: string, error: string | null): Promise<void> {
    await this.pool.query(
      `UPDATE projection_checkpoints
       SET rebuild_transaction_id = NULL, rebuild_position = NULL, rebuild_started_at = NULL, rebuild_error = $2, updated_at = now()
       WHERE name = $1`,
      [name, error],
    );
  }
}

function toCheckpointRow(row: Row): CheckpointRow {
  return {
    name: row.name,
    checkpoint: { transactionId: row.transaction_id, position: row.position },
    status: row.status,
    lastError: row.last_error,
    failedPosition: row.failed_position,
    rebuildCheckpoint:
      row.rebuild_transaction_id === null || row.rebuild_position === null
        ? null
        : { transactionId: row.rebuild_transaction_id, position: row.rebuild_position },
    rebuildError: row.rebuild_error,
  };
}
