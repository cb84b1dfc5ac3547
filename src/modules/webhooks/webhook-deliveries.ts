import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';

export type DeliveryStatus = 'delivered' | 'failed';

export interface DeliveryAttempt {
  readonly endpointId: string;
  readonly eventId: string;
  readonly type: string;
  readonly position: string;
  readonly attempt: number;
  readonly status: DeliveryStatus;
  readonly responseStatus?: number;
  readonly error?: string;
  readonly durationMs: number;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly eventId: string;
  readonly type: string;
  readonly position: string;
  readonly attempt: number;
  readonly status: DeliveryStatus;
  readonly responseStatus?: number;
  readonly error?: string;
  readonly durationMs: number;
  readonly at: string;
}

interface Row {
  id: string;
  event_id: string;
  type: string;
  position: string;
  attempt: number;
  status: DeliveryStatus;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
  at: Date;
}

/** The INSERT of one attempt, its values from `$first` on, in deliveryValues' order. */
export function insertDeliverySql(first: number): string {
  const values = Array.from({ length: 9 }, (_, i) => `$${first + i}`);
  return `INSERT INTO webhook_deliveries (endpoint_id, event_id, type, position, attempt, status, response_status, error, duration_ms)
       VALUES (${values.join(', ')})`;
}

export function deliveryValues(attempt: DeliveryAttempt): unknown[] {
  return [attempt.endpointId, attempt.eventId, attempt.type, attempt.position, attempt.attempt, attempt.status, attempt.responseStatus ?? null, attempt.error ?? null, attempt.durationMs];
}

const RECORD_SQL = insertDeliverySql(1);

/** Rows per purge statement; a run stops after PURGE_MAX_BATCHES of them (the rest waits for the next run). */
const PURGE_BATCH = 1_000;
const PURGE_MAX_BATCHES = 100;

/** The per-endpoint delivery log admins read (`GET /admin/webhooks/:id/deliveries`), purged by age. */
@Injectable()
export class WebhookDeliveries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(attempt: DeliveryAttempt): Promise<void> {
    await this.pool.query(RECORD_SQL, deliveryValues(attempt));
  }

  /** Newest first; `before` is the previous page's last id. */
  async list(endpointId: string, filter: { status?: DeliveryStatus; limit: number; before?: string }): Promise<DeliveryRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM webhook_deliveries
       WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
      [endpointId, filter.status ?? null, filter.before ?? null, filter.limit],
    );
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      type: row.type,
      position: row.position,
      attempt: row.attempt,
      status: row.status,
      ...(row.response_status === null ? {} : { responseStatus: row.response_status }),
      ...(row.error === null ? {} : { error: row.error }),
      durationMs: row.duration_ms,
      at: row.at.toISOString(),
    }));
  }

  /** Deletes rows older than `days` (as of the database's clock, or `now`), in bounded batches; how many. */
  async purge(days: number, now?: Date): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < PURGE_MAX_BATCHES; batch++) {
      const { rowCount } = await this.pool.query(
        `DELETE FROM webhook_deliveries WHERE id = ANY (ARRAY(
           SELECT id FROM webhook_deliveries WHERE at < coalesce($1::timestamptz, now()) - make_interval(days => $2) ORDER BY at LIMIT ${PURGE_BATCH}))`,
        [now ?? null, days],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < PURGE_BATCH) break;
    }
    return deleted;
  }
}
