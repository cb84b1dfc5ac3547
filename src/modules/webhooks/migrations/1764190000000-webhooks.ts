import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (each with its own checkpoint on the log, like a projection's) and their delivery log. The checkpoint is the `(transaction_id, position)` of
 * the last event the endpoint is done with (delivered, or not of a type it wants); `attempts` counts
 * the failed attempts of the event right after it, and `next_attempt_at` is when to try it again: both
 * kept here so that a restart, a `kill -9` or another instance taking over resumes the backoff, not
 * restarts it.
 */
export class Webhooks1764190000000 implements MigrationInterface {
  name = 'Webhooks1764190000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        event_types text[] NOT NULL,
        description text,
        secret text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'disabled')),
        transaction_id xid8 NOT NULL,
        position bigint NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        endpoint_id uuid NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        position bigint NOT NULL,
        attempt int NOT NULL,
        status text NOT NULL CHECK (status IN ('delivered', 'failed')),
        response_status int,
        error text,
        duration_ms int NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC)`);
    await db.query(`CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhook_endpoints`);
  }
}
