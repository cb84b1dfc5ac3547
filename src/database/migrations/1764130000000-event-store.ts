import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only event log, and the tables that must change in the same transaction as an append. */
export class EventStore1764130000000 implements MigrationInterface {
  name = 'EventStore1764130000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL,
        stream_id uuid NOT NULL,
        stream_type text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        type text NOT NULL,
        schema_version integer NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        -- Millisecond precision, as clients see it, so "as of this event's time" includes the event.
        occurred_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        -- Sequence values are taken at insert but become visible at commit, so readers order the log
        -- by the writing transaction first (see event-store/log-reader.ts).
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
      )`);
    await db.query(`CREATE INDEX events_log_order_idx ON events (transaction_id, global_position)`);
    await db.query(`CREATE INDEX events_type_idx ON events (type, global_position)`);
    await db.query(`
      CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the events table is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await db.query(`
      CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_immutable()`);
    await db.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable()`);
    // Wakes projection runners after each committing append (NOTIFY is delivered at commit).
    await db.query(`
      CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('events_appended', '');
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER events_notify AFTER INSERT ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_notify()`);

    await db.query(`
      CREATE TABLE idempotency_keys (
        caller text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (caller, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP FUNCTION events_notify`);
    await db.query(`DROP FUNCTION events_are_immutable`);
  }
}
