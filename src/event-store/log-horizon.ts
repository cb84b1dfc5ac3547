/**
 * The log reader's horizon: the transaction id below which every event that will ever be in the log is
 * already visible. Only events below it are handed out, in (transaction_id, global_position) order, so a
 * transaction that commits late can never land behind a reader's checkpoint.
 *
 * The old horizon was the snapshot's xmin: every transaction older than the oldest one still running,
 * anywhere on the server. A 20 s transaction in another database held every projection back for 20 s.
 * Now only appends to our `events` table may: each announces itself with a transaction-scoped shared
 * advisory lock on APPEND_LOCK_KEY before its transaction gets an id (the `events_announce_append` trigger,
 * migration 1764180000000). For a statement with snapshot S that then reads pg_locks once (L):
 *
 *   horizon = least(xmax(S), min{ x in xip(S) : L does not show x running without the append lock })
 *
 * Why no transaction T that commits an event invisible to S can have an id below it:
 * - If T's id is at or above xmax(S), the horizon (at most xmax(S)) is not above it. That covers an
 *   append that held the lock but had no id yet: ids are handed out in increasing order, and xmax(S) is
 *   at most the next one.
 * - If T's id is below xmax(S) and T is invisible to S, T was running at S: its id is in xip(S). L is
 *   read after S (a statement's snapshot is taken before it runs). If T has ended by then, L shows no
 *   lock on its id and it counts. If T is still running, it took the append lock before it got its id
 *   and keeps it to its end: L, one consistent read of the lock table (both kinds of lock live in its
 *   shared part, never in fast-path slots), shows the lock on its id and the append lock under the same
 *   virtual transaction, and it counts.
 * A running transaction that does not hold the append lock may be excluded because it can never insert
 * into `events` any more: its id is assigned, and the trigger refuses a first append after that.
 *
 * The horizon must be computed once per statement (a CTE, not an expression evaluated per row) and on
 * the same snapshot the events are read with. Costs one copy of the lock table per read: see
 * src/projections/README.md for the figures.
 */

/** The append lock's key: pg_advisory_xact_lock_shared(1163285587) shows in pg_locks as (0, 1163285587, 1). */
export const APPEND_LOCK_KEY = 1163285587;

/** pg_locks rows of the append lock in this database (granted, as waiters hold nothing yet). */
const APPEND_LOCKS = `locktype = 'advisory' AND classid = 0 AND objid = ${APPEND_LOCK_KEY} AND objsubid = 1 AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * CTEs defining `horizon(xid)`; a statement starts `WITH ${HORIZON_CTES}` and compares with
 * `(SELECT xid FROM horizon)`. `least` ignores the NULL of an empty min.
 */
export const HORIZON_CTES = `
lock_table AS MATERIALIZED (
  SELECT locktype, transactionid, virtualtransaction FROM pg_locks
  WHERE (locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted) OR (${APPEND_LOCKS})
), horizon AS MATERIALIZED (
  SELECT least(pg_snapshot_xmax(pg_current_snapshot()), (
    SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE x::xid NOT IN (
      SELECT transactionid FROM lock_table
      WHERE locktype = 'transactionid'
        AND virtualtransaction NOT IN (SELECT virtualtransaction FROM lock_table WHERE locktype = 'advisory'))
  )) AS xid
)`;

/** The virtual transaction ids of the appends in flight in this database. */
export const APPENDERS_SQL = `SELECT coalesce(array_agg(virtualtransaction), '{}') AS appenders FROM pg_locks WHERE ${APPEND_LOCKS}`;

/** Whether any of the virtual transactions $1 is still appending. */
export const STILL_APPENDING_SQL = `SELECT EXISTS (SELECT FROM pg_locks WHERE ${APPEND_LOCKS} AND virtualtransaction = ANY ($1::text[])) AS appending`;
