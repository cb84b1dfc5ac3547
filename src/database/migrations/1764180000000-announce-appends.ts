import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every transaction that inserts into `events` announces itself, before it has a transaction id, with a
 * transaction-scoped shared advisory lock (key 1163285587, APPEND_LOCK_KEY in event-store/log-horizon.ts).
 * The log reader then waits only for announced transactions, instead of for every transaction older
 * than its snapshot's xmin on the whole server (log-horizon.ts has the argument).
 *
 * A BEFORE ... FOR EACH STATEMENT trigger covers every way in (the service's appends, COPY, a seed
 * script), and fires before the statement computes its first row, so before the identity value and
 * `pg_current_xact_id()` are taken and before the first row is written. A transaction that already has an
 * id when it first inserts into `events` (it wrote something else first) is refused: a reader may already
 * have taken it for a transaction that never appends, and passed it.
 */
export class AnnounceAppends1764180000000 implements MigrationInterface {
  name = 'AnnounceAppends1764180000000';

  async up(db: QueryRunner): Promise<void> {
    // The setting marks the transaction as announced (a second append in it may then follow other
    // writes). Both the setting and the lock are undone if a savepoint around the append rolls back.
    await db.query(`
      CREATE FUNCTION events_announce_append() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('eventshop.announced_append', true) IS DISTINCT FROM 'on' THEN
          IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
            RAISE EXCEPTION 'an append to events must be the first write of its transaction'
              USING ERRCODE = 'object_not_in_prerequisite_state';
          END IF;
          PERFORM pg_advisory_xact_lock_shared(1163285587);
          PERFORM set_config('eventshop.announced_append', 'on', true);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER events_announce_append BEFORE INSERT ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_announce_append()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER events_announce_append ON events`);
    await db.query(`DROP FUNCTION events_announce_append`);
  }
}
