import type pg from 'pg';
import { LOG_START, type LogCheckpoint } from './event.js';
import { APPENDERS_SQL, STILL_APPENDING_SQL } from './log-horizon.js';

/** The event at $1, if visible, and whether the position has been handed out by the identity sequence. */
const EVENT_AT_SQL = `
SELECT e.transaction_id,
       $1::bigint <= coalesce(pg_sequence_last_value(pg_get_serial_sequence('events', 'global_position')::regclass), 0) AS allocated
FROM (VALUES (1)) AS one LEFT JOIN events e ON e.global_position = $1::bigint`;

/** The event at $1, or else the last one before it. */
const AT_OR_BEFORE_SQL = `
SELECT transaction_id, global_position FROM events WHERE global_position <= $1::bigint ORDER BY global_position DESC LIMIT 1`;

/**
 * What a reader asking for a log position (`X-Min-Position`) waits for: the event at that position, in
 * log order; or, for a position no event will ever hold, the event before it.
 *
 * A position can be taken and never used: its append rolled back (a version conflict in a group
 * commit, a failed idempotency claim), or the server crashed after reserving it. Such a position is
 * "passed" once no append that could still commit it is running, and the read side has applied what
 * came before it. Positions are not in commit order, so this is decided on the appenders, not on
 * checkpoints: a position is taken by the identity sequence inside an insert into `events`, after the
 * insert's transaction announced itself (the append lock, see log-horizon.ts). So once we have seen
 * the position taken (the sequence is at or past it), every append that could hold it is either among
 * the appends running at that moment, or already over. When all of those are over, the position's
 * event is visible to any later snapshot, or never will be; and every smaller position was taken
 * earlier still, so the events before it are final too. The target is then the last event at or
 * before the position (the start of the log if there is none): a reader has passed a position that
 * never came once it has applied the event just before it, as it would have for an event there.
 *
 * A position the sequence has not reached yet may still come: the lookup keeps waiting for it.
 * (This relies on the identity's default CACHE 1: with a larger cache, a session could hold reserved
 * positions that the sequence is already past.)
 */
export class PositionLookup {
  /** Set once the position is known to be taken: the appends that were running then, not yet seen over. */
  private appenders: string[] | undefined;

  constructor(
    private readonly db: pg.Pool,
    readonly position: string,
  ) {}

  /** The checkpoint a reader must reach to have passed the position, or null while that is not known yet. */
  async target(): Promise<LogCheckpoint | null> {
    if (this.appenders === undefined) {
      const { rows } = await this.db.query<{ transaction_id: string | null; allocated: boolean }>(EVENT_AT_SQL, [this.position]);
      if (rows[0].transaction_id !== null) return { transactionId: rows[0].transaction_id, position: this.position };
      if (!rows[0].allocated) return null;
      // A separate statement, after the one that saw the position taken (see above).
      this.appenders = (await this.db.query<{ appenders: string[] }>(APPENDERS_SQL)).rows[0].appenders;
    }
    if (this.appenders.length > 0) {
      const { rows } = await this.db.query<{ appending: boolean }>(STILL_APPENDING_SQL, [this.appenders]);
      if (rows[0].appending) return null;
      this.appenders = [];
    }
    // Again a statement of its own: its snapshot must be taken after the appenders were seen over.
    const { rows } = await this.db.query<{ transaction_id: string; global_position: string }>(AT_OR_BEFORE_SQL, [this.position]);
    return rows.length > 0 ? { transactionId: rows[0].transaction_id, position: rows[0].global_position } : LOG_START;
  }
}
