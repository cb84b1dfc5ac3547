import pg from 'pg';

/**
 * Holds the client's ledger against the log. Each command carried its key as `X-Request-Id`, which the
 * service stores as the events' `correlationId`; one command is one atomic append, so all its events
 * share one writing transaction, and a command applied twice shows as two transactions under one key.
 *
 * - lost: a 2xx whose answer the log does not back: no event of that command at the answered
 *   `position`, or none at the answered stream `id` and `version`.
 * - doubled: a command (answered or not) whose events come from more than one transaction.
 * - refused but applied: a 4xx answer to a command whose events are in the log (the client was told
 *   "not done" about something done, e.g. a retry that should have replayed the first answer).
 * - gaps: streams whose versions are not exactly 1..n.
 */
export async function auditLog(databaseUrl, ledger) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let rows;
  let gapRows;
  try {
    ({ rows } = await client.query(
      `SELECT global_position::text AS position, stream_id, version, metadata->>'correlationId' AS key, transaction_id::text AS tx
       FROM events`,
    ));
    ({ rows: gapRows } = await client.query(
      `SELECT stream_id, min(version) AS first, max(version) AS last, count(*)::int AS events
       FROM events GROUP BY stream_id HAVING min(version) <> 1 OR max(version) <> count(*)`,
    ));
  } finally {
    await client.end();
  }

  const byPosition = new Map();
  const byStreamVersion = new Map();
  const transactionsByKey = new Map();
  for (const row of rows) {
    byPosition.set(row.position, row);
    byStreamVersion.set(`${row.stream_id}@${row.version}`, row);
    if (!transactionsByKey.has(row.key)) transactionsByKey.set(row.key, new Set());
    transactionsByKey.get(row.key).add(row.tx);
  }

  const lost = [];
  const doubled = [];
  const refusedButApplied = [];
  let appliedWithoutAnswer = 0;
  for (const entry of ledger) {
    const applications = transactionsByKey.get(entry.key)?.size ?? 0;
    if (applications > 1) doubled.push({ ...describe(entry), applications });
    if (entry.outcome === 'acknowledged') {
      const { id, version, position } = entry.answer ?? {};
      const atPosition = byPosition.get(String(position));
      const atVersion = byStreamVersion.get(`${id}@${version}`);
      if (atPosition?.key !== entry.key || atVersion?.key !== entry.key) lost.push(describe(entry));
    } else if (entry.outcome === 'refused' && applications > 0) {
      refusedButApplied.push(describe(entry));
    } else if (entry.outcome === 'unanswered' && applications > 0) {
      appliedWithoutAnswer++;
    }
  }
  const ours = new Set(ledger.map((e) => e.key));
  return {
    events: rows.length,
    streams: new Set(rows.map((r) => r.stream_id)).size,
    eventsOfNoCommandOfOurs: rows.filter((r) => !ours.has(r.key)).length,
    lost,
    doubled,
    refusedButApplied,
    appliedWithoutAnswer,
    gaps: gapRows,
  };
}

function describe(entry) {
  return { kind: entry.kind, path: entry.path, key: entry.key, status: entry.status, answer: entry.answer };
}
