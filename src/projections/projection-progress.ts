import type pg from 'pg';
import type { ProjectionProgress } from '../observability/metrics.js';

/**
 * Each projection's checkpoint and lag, from the checkpoint table (so it is right whichever instance
 * applies it; one without a checkpoint row yet stands at the log's start): one statement, two index
 * probes of the log per projection. The count walks the
 * log-order index from the checkpoint, so it costs in proportion to the lag.
 */
const PROGRESS_SQL = `
SELECT n.name, coalesce(c.position, 0)::text AS position, lag.n AS lag_events,
       coalesce(extract(epoch FROM clock_timestamp() - oldest.occurred_at), 0)::float8 AS lag_seconds
FROM unnest($1::text[]) AS n(name)
LEFT JOIN projection_checkpoints c ON c.name = n.name
CROSS JOIN LATERAL (SELECT coalesce(c.transaction_id, '0'::xid8) AS tx, coalesce(c.position, 0) AS pos) cp
CROSS JOIN LATERAL (
  SELECT count(*)::int AS n FROM events e WHERE (e.transaction_id, e.global_position) > (cp.tx, cp.pos)
) lag
LEFT JOIN LATERAL (
  SELECT e.occurred_at FROM events e
  WHERE (e.transaction_id, e.global_position) > (cp.tx, cp.pos)
  ORDER BY e.transaction_id, e.global_position LIMIT 1
) oldest ON true`;

export async function readProjectionProgress(pool: pg.Pool, names: readonly string[]): Promise<ProjectionProgress[]> {
  const { rows } = await pool.query<{ name: string; position: string; lag_events: number; lag_seconds: number }>(PROGRESS_SQL, [names]);
  return rows.map((row) => ({ name: row.name, position: row.position, lagEvents: row.lag_events, lagSeconds: Math.max(0, row.lag_seconds) }));
}
