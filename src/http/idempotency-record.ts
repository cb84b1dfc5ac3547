import { UnprocessableEntityException } from '@nestjs/common';
import type pg from 'pg';
import type { CommandResult } from '../event-store/command-runner.js';
import { ConcurrencyError } from '../event-store/errors.js';

/** What the idempotency guard prepares for a POST with `Idempotency-Key`. */
export interface IdempotencyRecord {
  readonly caller: string;
  readonly key: string;
  readonly requestHash: string;
  readonly statusCode: number;
}

/** How long a recorded answer is replayed; after that the key may be used afresh. */
export const IDEMPOTENCY_RETENTION = '24 hours';

/** A recorded answer, as `idempotency_keys` holds it. */
export interface StoredResponse {
  readonly request_hash: string;
  readonly status_code: number;
  readonly response: unknown;
}

/**
 * The first answer to a request, given again: thrown in place of the handler's answer (by the guard, or
 * from the append's transaction when a concurrent request took the key first), sent by the error filter
 * with `Idempotent-Replayed: true`. Not an error, but the one way out of a guard or a command that is not
 * its own answer.
 */
export class IdempotentReplay extends Error {
  constructor(
    readonly statusCode: number,
    readonly response: unknown,
  ) {
    super('idempotent replay');
  }
}

/** The key's live record, if any. */
export async function findIdempotentResponse(db: pg.Pool | pg.PoolClient, caller: string, key: string): Promise<StoredResponse | undefined> {
  const { rows } = await db.query<StoredResponse>(
    `SELECT request_hash, status_code, response FROM idempotency_keys
     WHERE caller = $1 AND key = $2 AND created_at > now() - interval '${IDEMPOTENCY_RETENTION}'`,
    [caller, key],
  );
  return rows[0];
}

/** What a request with a recorded key gets: the recorded answer if it is the same request, else 422. */
export function replayOf(stored: StoredResponse, requestHash: string): IdempotentReplay | UnprocessableEntityException {
  return stored.request_hash === requestHash
    ? new IdempotentReplay(stored.status_code, stored.response)
    : new UnprocessableEntityException({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'This Idempotency-Key was used with a different request' });
}

/**
 * Records the command's answer under its key. It runs inside the append's transaction (the command
 * context's `inTransaction` hook), so the key is claimed if and only if the events are written. If a
 * concurrent request with the same key committed first, this throws its answer (replayOf), and the
 * transaction, with this command's events, rolls back.
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
  if (rowCount !== 0) return;
  // The statement after the wait sees the record the other request committed (READ COMMITTED).
  const stored = await findIdempotentResponse(client, record.caller, record.key);
  if (stored) throw replayOf(stored, record.requestHash);
  // Not expected: our INSERT keeps the conflicting row locked to the end of this transaction, and a row
  // it did not overwrite is younger than the retention, so the SELECT finds it. If it ever does not, the
  // runner decides the command again rather than answer 500.
  throw new ConcurrencyError('A request with this Idempotency-Key was being answered; retry it');
}
