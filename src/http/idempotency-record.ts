import type pg from 'pg';
import type { CommandResult } from '../event-store/command-runner.js';

/** What the idempotency interceptor prepares for a POST with `Idempotency-Key`. */
export interface IdempotencyRecord {
  readonly caller: string;
  readonly key: string;
  readonly requestHash: string;
  readonly statusCode: number;
}

/** How long a recorded answer is replayed; after that the key may be used afresh. */
export const IDEMPOTENCY_RETENTION = '24 hours';

/** Raised when a concurrent request with the same idempotency key committed first. */
export class IdempotencyRaceError extends Error {}

/**
 * Records the command's answer under its key. It runs inside the append's transaction (the command
 * context's `inTransaction` hook), so the key is claimed if and only if the events are written.
 */
export async function recordIdempotentResponse(client: pg.PoolClient, record: IdempotencyRecord, response: CommandResult): Promise<void> {
  // A concurrent request with the same key blocks here until the first commits, then updates nothing.
  // An expired record is overwritten: the key is free again.
  const { rowCount } = await client.query(
    `INSERT INTO idempotency_keys (caller, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (caller, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
           response = EXCLUDED.response, created_at = now()
       WHERE idempotency_keys.created_at <= now() - interval '${IDEMPOTENCY_RETENTION}'`,
    [record.caller, record.key, record.requestHash, record.statusCode, JSON.stringify(response)],
  );
  if (rowCount === 0) throw new IdempotencyRaceError();
}
