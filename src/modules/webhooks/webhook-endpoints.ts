import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';
import type { LogCheckpoint } from '../../event-store/event.js';
import { HORIZON_CTES } from '../../event-store/log-horizon.js';
import { deliveryValues, insertDeliverySql, type DeliveryAttempt } from './webhook-deliveries.js';

export type EndpointStatus = 'active' | 'disabled';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string | null;
  readonly secret: string;
  readonly status: EndpointStatus;
  /** The last event the endpoint is done with (delivered, or not of a type it wants), in log order. */
  readonly checkpoint: LogCheckpoint;
  /** Failed attempts of the event after the checkpoint. */
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

export interface EndpointChanges {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly description?: string | null;
  readonly active?: boolean;
}

interface Row {
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  secret: string;
  status: EndpointStatus;
  transaction_id: string;
  position: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

/** The last event below the horizon, in log order: where a reader that starts "now" stands. */
const LOG_END = `${HORIZON_CTES},
  log_end AS (SELECT transaction_id, global_position FROM events WHERE transaction_id < (SELECT xid FROM horizon)
              ORDER BY transaction_id DESC, global_position DESC LIMIT 1)`;

const ADVANCE_SQL = `UPDATE webhook_endpoints SET transaction_id = $4, position = $5, attempts = 0, next_attempt_at = NULL, last_error = NULL, updated_at = now()
       WHERE id = $1 AND transaction_id = $2::xid8 AND position = $3`;
/** ADVANCE_SQL with the delivered attempt's log row written by the same statement (its values from $6 on). */
const ADVANCE_DELIVERED_SQL = `WITH logged AS (${insertDeliverySql(6)}) ${ADVANCE_SQL}`;

/** The `webhook_endpoints` table: the endpoints, their settings and their delivery state. */
@Injectable()
export class WebhookEndpoints {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** A new endpoint, which receives the events appended from now on. */
  async create(endpoint: { id: string; url: string; eventTypes: readonly string[]; description: string | null; secret: string }): Promise<WebhookEndpoint> {
    const { rows } = await this.pool.query<Row>(
      `WITH ${LOG_END}
       INSERT INTO webhook_endpoints (id, url, event_types, description, secret, status, transaction_id, position)
       VALUES ($1, $2, $3, $4, $5, 'active', coalesce((SELECT transaction_id FROM log_end), '0'::xid8), coalesce((SELECT global_position FROM log_end), 0))
       RETURNING *`,
      [endpoint.id, endpoint.url, endpoint.eventTypes, endpoint.description, endpoint.secret],
    );
    return toEndpoint(rows[0]);
  }

  async find(id: string): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM webhook_endpoints WHERE id = $1`, [id]);
    return rows[0] && toEndpoint(rows[0]);
  }

  async list(limit: number): Promise<WebhookEndpoint[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM webhook_endpoints ORDER BY created_at, id LIMIT $1`, [limit]);
    return rows.map(toEndpoint);
  }

  async activeIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM webhook_endpoints WHERE status = 'active'`);
    return rows.map((row) => row.id);
  }

  /** Applies the changes; `active: true` clears the failed attempts, so delivery resumes at once where it stopped. */
  async update(id: string, changes: EndpointChanges): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE webhook_endpoints SET
         url = coalesce($2, url),
         event_types = coalesce($3, event_types),
         description = CASE WHEN $4 THEN $5 ELSE description END,
         status = CASE WHEN $6::boolean IS NULL THEN status WHEN $6 THEN 'active' ELSE 'disabled' END,
         attempts = CASE WHEN $6 THEN 0 ELSE attempts END,
         next_attempt_at = CASE WHEN $6 THEN NULL ELSE next_attempt_at END,
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, changes.url ?? null, changes.eventTypes ?? null, changes.description !== undefined, changes.description ?? null, changes.active ?? null],
    );
    return rows[0] && toEndpoint(rows[0]);
  }

  async delete(id: string): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.pool.query<Row>(`DELETE FROM webhook_endpoints WHERE id = $1 RETURNING *`, [id]);
    if (rows[0]) await this.pool.query(`DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, [id]);
    return rows[0] && toEndpoint(rows[0]);
  }

  /**
   * Moves the checkpoint back so that every event at or after `fromPosition` is delivered again. The log
   * is ordered by (transaction, position), not by position alone, so the checkpoint goes just before the
   * earliest such event in log order; events of later transactions with lower positions come again too
   * (at least once allows it), none at or after `fromPosition` is missed. False if there is no such endpoint.
   */
  async replay(id: string, fromPosition: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `WITH ${LOG_END},
       first_tx AS (SELECT min(transaction_id) AS xid FROM events WHERE global_position >= $2 AND transaction_id < (SELECT xid FROM horizon))
       UPDATE webhook_endpoints SET
         transaction_id = coalesce((SELECT xid FROM first_tx), (SELECT transaction_id FROM log_end), '0'::xid8),
         position = CASE WHEN (SELECT xid FROM first_tx) IS NULL THEN coalesce((SELECT global_position FROM log_end), 0) ELSE $2::bigint - 1 END,
         attempts = 0, next_attempt_at = NULL, last_error = NULL, updated_at = now()
       WHERE id = $1`,
      [id, fromPosition],
    );
    return rowCount === 1;
  }

  /** The event after `from` and those up to `to` are done with: a compare-and-set, false if the checkpoint moved meanwhile (a replay). */
  async advance(id: string, from: LogCheckpoint, to: LogCheckpoint): Promise<boolean> {
    const { rowCount } = await this.pool.query(ADVANCE_SQL, [id, from.transactionId, from.position, to.transactionId, to.position]);
    return rowCount === 1;
  }

  /**
   * advance() to the event just delivered, with its attempt logged in the same statement: one round trip
   * per delivery rather than two (delivery is one event at a time per endpoint, so its rate is one over
   * its round trips), and the log entry commits with the checkpoint. The entry is written whether or not
   * the checkpoint moved, as record() would.
   */
  async advanceDelivered(id: string, from: LogCheckpoint, to: LogCheckpoint, attempt: DeliveryAttempt): Promise<boolean> {
    const { rowCount } = await this.pool.query(ADVANCE_DELIVERED_SQL, [
      id, from.transactionId, from.position, to.transactionId, to.position, ...deliveryValues(attempt),
    ]);
    return rowCount === 1;
  }

  /**
   * A failed attempt of the event after `to` (the events between `from` and `to` are done with): its
   * count, when to try again, and the endpoint disabled if it has failed too often. Compare-and-set as advance().
   */
  async failed(id: string, from: LogCheckpoint, to: LogCheckpoint, failure: { attempts: number; nextAttemptAt: Date; error: string; disable: boolean }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE webhook_endpoints SET transaction_id = $4, position = $5, attempts = $6, next_attempt_at = $7, last_error = $8,
         status = CASE WHEN $9 THEN 'disabled' ELSE status END, updated_at = now()
       WHERE id = $1 AND transaction_id = $2::xid8 AND position = $3`,
      [id, from.transactionId, from.position, to.transactionId, to.position, failure.attempts, failure.nextAttemptAt, failure.error, failure.disable],
    );
    return rowCount === 1;
  }
}

function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    secret: row.secret,
    status: row.status,
    checkpoint: { transactionId: row.transaction_id, position: row.position },
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}
