import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots of folded streams (src/event-store/snapshot-store.ts): one row per stream and fold shape,
 * the newest only. A cache of the log, never a source of truth: any row may be deleted at any time (the
 * next load of its stream folds from the first event and stores a new one).
 */
export class StreamSnapshots1796061895534 implements MigrationInterface {
  name = 'StreamSnapshots1796061895534';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stream_snapshots (
        stream_id uuid NOT NULL,
        shape text NOT NULL,
        stream_type text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        position bigint NOT NULL,
        state bytea NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, shape)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stream_snapshots`);
  }
}
