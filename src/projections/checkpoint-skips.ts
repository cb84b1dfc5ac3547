import type pg from 'pg';
import type { LogCheckpoint } from '../event-store/event.js';

export type SkipOutcome = 'applied' | 'paused' | 'moved';

export interface Skip {
  readonly name: string;
  readonly from: LogCheckpoint;
  readonly to: LogCheckpoint;
  /** The projection's batch lock (the two int4 keys): held by a rebuild or a verify to pause it. */
  readonly batchLock: readonly [number, number];
}

interface Waiting extends Skip {
  resolve(outcome: SkipOutcome): void;
  reject(error: unknown): void;
}

/*
 * Every skip of a turn of the event loop in one statement and one transaction. For each projection, the
 * same compare-and-set as a batch's advance, unless its batch lock is taken. The lock is tried once per
 * row (in a materialised CTE) and held to the statement's end, as a batch holds it to its commit.
 *
 * The commit need not wait for the WAL flush (set_config(..., true) is SET LOCAL): a skip lost in a crash
 * only puts the checkpoint back before events the projection does not handle, which it then skips again;
 * and WAL is flushed in order, so no later write that depends on it can survive without it.
 */
const SKIP_SQL = `
WITH input AS MATERIALIZED (
  SELECT u.*, pg_try_advisory_xact_lock(u.class_key, u.object_key) AS locked
  FROM unnest($1::text[], $2::xid8[], $3::bigint[], $4::xid8[], $5::bigint[], $6::int[], $7::int[])
         AS u(name, from_tx, from_position, to_tx, to_position, class_key, object_key),
       (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
), moved AS (
  UPDATE projection_checkpoints c
  SET transaction_id = i.to_tx, position = i.to_position, status = 'running', last_error = NULL, failed_position = NULL, updated_at = now()
  FROM input i
  WHERE c.name = i.name AND c.transaction_id = i.from_tx AND c.position = i.from_position AND i.locked
  RETURNING c.name
)
SELECT i.name, i.locked, EXISTS (SELECT 1 FROM moved m WHERE m.name = i.name) AS moved FROM input i`;

/** Named: prepared once per connection, then no longer planned per call. */
const SKIP = { name: 'eventshop.skip-checkpoints', text: SKIP_SQL };

/**
 * Moves checkpoints past events their projections do not handle, many projections in one statement.
 *
 * Caught-up projections share each read of the log (SharedLogReads) and most of them handle none of
 * what it returns (the add-item load: a dozen projections, two of which handle cart events), so each
 * append used to cost a dozen single-row UPDATEs, each its own transaction and WAL flush. Skips asked
 * for in the same turn of the event loop now go out together: one statement, one commit.
 */
export class CheckpointSkips {
  private waiting: Waiting[] = [];
  /** Names with a skip in flight. */
  private readonly busy = new Set<string>();
  private scheduled = false;

  constructor(private readonly pool: pg.Pool) {}

  skip(skip: Skip): Promise<SkipOutcome> {
    return new Promise<SkipOutcome>((resolve, reject) => {
      this.waiting.push({ ...skip, resolve, reject });
      this.schedule();
    });
  }

  /**
   * On setImmediate, not a microtask: the projections woken by one read of the log reach their skips a
   * few promise hops apart, all within this turn of the event loop.
   */
  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    // A projection skips once at a time; should a name come again while its skip is waiting or in
    // flight, the later skip waits for it (it begins where the earlier one ends).
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const waiting of this.waiting) {
      if (this.busy.has(waiting.name)) rest.push(waiting);
      else {
        this.busy.add(waiting.name);
        batch.push(waiting);
      }
    }
    this.waiting = rest;
    if (batch.length === 0) return;
    this.run(batch)
      .catch((error: unknown) => batch.forEach((waiting) => waiting.reject(error)))
      .finally(() => {
        for (const waiting of batch) this.busy.delete(waiting.name);
        this.schedule();
      });
  }

  private async run(batch: readonly Waiting[]): Promise<void> {
    const { rows } = await this.pool.query<{ name: string; locked: boolean; moved: boolean }>({
      ...SKIP,
      values: [
        batch.map((s) => s.name),
        batch.map((s) => s.from.transactionId),
        batch.map((s) => s.from.position),
        batch.map((s) => s.to.transactionId),
        batch.map((s) => s.to.position),
        batch.map((s) => s.batchLock[0]),
        batch.map((s) => s.batchLock[1]),
      ],
    });
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const waiting of batch) {
      const row = byName.get(waiting.name);
      waiting.resolve(!row?.locked ? 'paused' : row.moved ? 'applied' : 'moved');
    }
  }
}
