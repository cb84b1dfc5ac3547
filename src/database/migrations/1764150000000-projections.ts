import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each projection has got to in the log, and how its runner is faring. */
export class Projections1764150000000 implements MigrationInterface {
  name = 'Projections1764150000000';

  async up(db: QueryRunner): Promise<void> {
    // The checkpoint is the (transaction_id, position) pair of the last applied event: the log is read in
    // that order (see EventStore.readLog). A batch's read-model writes and the advance of this row commit
    // together. The rebuild_* pair is the same for the shadow tables while a rebuild runs.
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT '0',
        position bigint NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed')),
        last_error text,
        failed_position bigint,
        rebuild_transaction_id xid8,
        rebuild_position bigint,
        rebuild_started_at timestamptz,
        rebuild_error text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projection_checkpoints`);
  }
}
