import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single-use tickets for the live streams (`POST /stream-tickets`): a browser's EventSource cannot send
 * `Authorization`, so it passes `?ticket=`. In the database rather than in memory so that a ticket issued
 * by one instance works on another; only its SHA-256 is kept, so a read of the table grants nothing.
 */
export class StreamTickets1764190100000 implements MigrationInterface {
  name = 'StreamTickets1764190100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stream_tickets (
        ticket_hash text PRIMARY KEY,
        caller jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX stream_tickets_expires_at ON stream_tickets (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stream_tickets`);
  }
}
