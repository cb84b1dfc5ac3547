/** The append lock's key: pg_advisory_xact_lock_shared(1163285587) shows in pg_locks as (0, 1163285587, 1). */
export const APPEND_LOCK_KEY = 1163285587;

/** A pg_locks condition: the lock was taken in this connection's database (pg_locks is cluster-wide). */
export const IN_THIS_DATABASE = 'database = (SELECT oid FROM pg_database WHERE datname = current_database())';

/** pg_locks rows of the append lock in this database (granted, as waiters hold nothing yet). */
const APPEND_LOCKS = `locktype = 'advisory' AND classid = 0 AND objid = ${APPEND_LOCK_KEY} AND objsubid = 1 AND granted
  AND ${IN_THIS_DATABASE}`;

/**
 * The log reader's horizon: the transaction id below which every event that will ever be in the log is
 * already visible. Only events below it are handed out, in (transaction_id, global_position) order, so a
 * transaction that commits late can never land behind a reader's checkpoint.
 *
 * Only appends to our `events` table may hold it back, not every transaction on the server. Each
 * announces itself with a transaction-scoped shared advisory lock on APPEND_LOCK_KEY before its
 * transaction has an id (the `events_announce_append` statement trigger, migration 1764180000000, which
 * refuses an append that is not the first write of its transaction). For a statement with snapshot S
 * that then reads pg_locks once (L):
 *
 *   horizon = least(xmax(S), min{ x in xip(S) : L does not show x held by a backend without the append lock })
 *
 * Why no transaction T that commits an event invisible to S has an id below it:
 * - T's id is at or above xmax(S): the horizon is at most xmax(S).
 * - T's id is below xmax(S): T was running at S (else its events would be visible), so its id is in
 *   xip(S). It is passed over only if L shows the lock on its id, held by a backend that L shows without
 *   the append lock. T's backend took the append lock before T had an id, so before the lock on its id
 *   existed, and releases it after that one (locks of the default method, the id's, go first at the end
 *   of a transaction; advisory locks after). L reads the main lock table, where both live (never in
 *   fast-path slots), under all its partition locks at once: if it shows the one, it shows the other.
 * A running transaction shown without the append lock can never insert into `events` any more (its id
 * is assigned; the trigger refuses), so passing over it is safe: a transaction in another database, on
 * another table, a `psql` session left open, hold nothing back.
 *
 * So a later statement's horizon is never at or below an event handed out before: that event's
 * transaction had committed, and every append with a lower id still running then was shown with the
 * append lock and kept the earlier horizon below it. (A rebuild's catch-up relies on this.) Unlike the
 * snapshot's xmin, the rebuild's own shadow transactions no longer hold the live applier back either.
 *
 * The two locks are matched by the holder's `pid`, never by `virtualtransaction`: that column is the
 * holder's local transaction id read from its PGPROC at the moment each row is copied, and a committing
 * transaction clears it (ProcArrayEndTransaction) before it releases its locks, outside the lock table's
 * locks. One read of pg_locks could then show the id lock under "148/603" and the advisory lock under
 * "148/0": the first horizon built this way (git show 7a04a1c) passed over such appends and skipped
 * their events under load. A pid does not change while its backend holds any lock. Rows without a pid
 * (prepared transactions) are never passed over.
 *
 * Computed once per statement (MATERIALIZED CTEs), on the snapshot the events are read with, and pg_locks
 * only when it can change the answer. Its read takes every lock partition at once (pg_lock_status): at
 * 50 checkouts in flight a log read took 2.4 ms with it and 1.5 ms without (bench --profile). So the
 * snapshot's xmin comes first: when the newest visible event is below it, no visible event lies between
 * the xmin and the horizon above (which is never below the xmin), the two read the same events, and
 * pg_locks is not read (the CASE's subquery runs only if its branch is taken). Every event handed out
 * under the xmin is at most that newest event, below the xmin, so the argument above still holds.
 */
export const HORIZON_CTES = `
newest AS MATERIALIZED (
  SELECT transaction_id AS xid FROM events ORDER BY transaction_id DESC LIMIT 1
), lock_table AS MATERIALIZED (
  SELECT locktype, transactionid, pid FROM pg_locks
  WHERE granted AND pid IS NOT NULL AND ((locktype = 'transactionid' AND mode = 'ExclusiveLock') OR (${APPEND_LOCKS}))
), horizon AS MATERIALIZED (
  SELECT CASE
    WHEN coalesce((SELECT xid FROM newest) < pg_snapshot_xmin(pg_current_snapshot()), true) THEN pg_snapshot_xmin(pg_current_snapshot())
    ELSE least(pg_snapshot_xmax(pg_current_snapshot()), (
      SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
      WHERE x::xid NOT IN (
        SELECT transactionid FROM lock_table
        WHERE locktype = 'transactionid' AND pid NOT IN (SELECT pid FROM lock_table WHERE locktype = 'advisory'))
    ))
  END AS xid
)`;

/**
 * The virtual transaction ids of the appends in flight in this database. (A committing append may show
 * as "n/0" here or in STILL_APPENDING_SQL: by then its events are visible to any later snapshot.)
 */
export const APPENDERS_SQL = `SELECT coalesce(array_agg(virtualtransaction), '{}') AS appenders FROM pg_locks WHERE ${APPEND_LOCKS}`;

/** Whether any of the virtual transactions $1 is still appending. */
export const STILL_APPENDING_SQL = `SELECT EXISTS (SELECT FROM pg_locks WHERE ${APPEND_LOCKS} AND virtualtransaction = ANY ($1::text[])) AS appending`;
