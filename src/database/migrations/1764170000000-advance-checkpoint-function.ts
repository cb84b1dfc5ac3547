import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live checkpoint's compare-and-set as a function that raises when the checkpoint is no longer
 * where the batch started. A live batch can then move its checkpoint and COMMIT in one round trip
 * ("SELECT advance_projection_checkpoint(...); COMMIT"): if the function raises, the COMMIT never runs
 * and the batch rolls back. Round trips are what a batch's latency is made of on a loaded machine.
 */
export class AdvanceCheckpointFunction1764170000000 implements MigrationInterface {
  name = 'AdvanceCheckpointFunction1764170000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION advance_projection_checkpoint(p_name text, from_tx xid8, from_position bigint, to_tx xid8, to_position bigint)
      RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE projection_checkpoints
        SET transaction_id = to_tx, position = to_position, status = 'running', last_error = NULL,
            failed_position = NULL, updated_at = now()
        WHERE name = p_name AND transaction_id = from_tx AND position = from_position;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'the checkpoint of projection % has moved', p_name USING ERRCODE = 'ES409';
        END IF;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION advance_projection_checkpoint`);
  }
}
