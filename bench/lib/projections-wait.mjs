import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How far behind the log the service's projections are. Through GET /admin/projections when the
 * service has it; otherwise from the checkpoint table directly; `null` if neither exists yet.
 */
export async function projectionLag({ api, adminAuth, routes, pool }) {
  if (routes.has('get', '/admin/projections')) {
    const res = await api.request('GET', '/admin/projections', { auth: adminAuth });
    if (res.status !== 200 || !Array.isArray(res.body)) throw new Error(`GET /admin/projections answered ${res.status}`);
    // `lag` counts the events after the checkpoint in log order; the head position alone would mislead,
    // since the log is ordered by transaction first.
    return res.body.map((p) => ({ name: p.name, status: p.status, lag: BigInt(p.lag), lastError: p.lastError }));
  }
  const { rows } = await pool.query(`SELECT to_regclass('projection_checkpoints') IS NOT NULL AS present`);
  if (!rows[0].present) return null;
  const checkpoints = await pool.query(
    `SELECT name, status, last_error,
            (SELECT count(*) FROM events e WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.position)) AS lag
     FROM projection_checkpoints c`,
  );
  return checkpoints.rows.map((r) => ({ name: r.name, status: r.status, lag: BigInt(r.lag), lastError: r.last_error }));
}

/**
 * Waits until every projection has applied the whole log (and none is rebuilding), so that one run's
 * catch-up work never lands in the next run's measurement. Throws if a projection failed.
 */
export async function waitForProjections(source, { timeoutMs = 600_000, onWait } = {}) {
  const started = Date.now();
  for (;;) {
    const lag = await projectionLag(source);
    if (lag === null) return { waitedMs: Date.now() - started, mode: 'none' };
    const failed = lag.find((p) => p.status === 'failed');
    if (failed) throw new Error(`projection ${failed.name} failed: ${failed.lastError ?? 'no error given'}`);
    const behind = lag.filter((p) => p.lag > 0n || p.status !== 'running');
    if (behind.length === 0) return { waitedMs: Date.now() - started, mode: 'caught-up' };
    if (Date.now() - started > timeoutMs) {
      throw new Error(`projections still behind after ${timeoutMs} ms: ${behind.map((p) => `${p.name} ${p.status} lag ${p.lag}`).join(', ')}`);
    }
    onWait?.(behind.map((p) => `${p.name} ${p.lag}`).join(', '));
    await sleep(250);
  }
}

/**
 * Marks every projection, and every reaction, as having handled the whole log, without handling it: for a
 * database whose log the bench seeded while the service was stopped, when the scenario does not need
 * those events in the read models (a rebuild replays them anyway) and a live catch-up would only cost
 * minutes. A reaction left behind would read the whole log on the projector's thread during the first
 * measured run (it did: the first of three rebuilds ran at 30,570 events/s, the others at 44,447 and 54,766).
 * Returns false if there is no checkpoint row to move (the service has not started on it yet).
 */
export async function skipProjectionsToHead(pool) {
  const head = `(SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) last`;
  const { rowCount } = await pool.query(
    `UPDATE projection_checkpoints c SET transaction_id = last.transaction_id, position = last.global_position, updated_at = now() FROM ${head}`,
  );
  await pool.query(`UPDATE reaction_checkpoints c SET transaction_id = last.transaction_id, position = last.global_position, updated_at = now() FROM ${head}`);
  return rowCount > 0;
}
