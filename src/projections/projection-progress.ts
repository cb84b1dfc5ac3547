import type pg from 'pg';
import type { ProjectionProgress } from '../observability/metrics.js';

/**
 * Each projection's checkpoint and lag, from the checkpoint table (so it is right whichever instance
 * applies it): one statement, two index probes of the log per projection. The count walks the
 * log-order index from the checkpoint, so it costs in proportion to the lag.
 */
const PROGRESS_SQL = `
SELECT c.name, c.position::text AS position, lag.n AS lag_events,
       coalesce(extract(epoch FROM clock_timestamp() - oldest.occurred_at), 0)::float8 AS lag_seconds
FROM projection_checkpoints c
CROSS JOIN LATERAL (
  SELECT count(*)::int AS n FROM events e WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.position)
) lag
LEFT JOIN LATERAL (
  SELECT e.occurred_at FROM events e
  WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.position)
  ORDER BY e.transaction_id, e.global_position LIMIT 1
) oldest ON true
WHERE c.name = ANY($1::text[])`;

export async function readProjectionProgress(pool: pg.Pool, names: readonly string[]): Promise<ProjectionProgress[]> {
  const { rows } = await pool.query<{ name: string; position: string; lag_events: number; lag_seconds: number }>(PROGRESS_SQL, [names]);
  return rows.map((row) => ({ name: row.name, position: row.position, lagEvents: row.lag_events, lagSeconds: Math.max(0, row.lag_seconds) }));
}
