import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reactions and durable timers (src/reactions/). A reaction reads the log like a projection, but its
 * effects happen outside any transaction of ours, so its checkpoint lives apart from the projections'
 * (no rebuild, no read-model tables). A timer is a command a module wants run later: it survives
 * restarts, and `fired_at` is set in the same transaction as the command's append, so it fires once.
 */
export class ReactionsAndTimers1764210000000 implements MigrationInterface {
  name = 'ReactionsAndTimers1764210000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reaction_checkpoints (
        name text PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT '0',
        position bigint NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed')),
        last_error text,
        failed_position bigint,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // `next_attempt_at` starts at `due_at` and moves on with each failed attempt (backoff); the firer
    // sleeps until the earliest pending one, found through the partial index.
    await db.query(`
      CREATE TABLE timers (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        correlation_id text,
        next_attempt_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        fired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX timers_pending_idx ON timers (next_attempt_at) WHERE fired_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE timers`);
    await db.query(`DROP TABLE reaction_checkpoints`);
  }
}
