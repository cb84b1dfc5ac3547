import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../src/event-store/errors.js';
import { LOG_START, type LogCheckpoint, type StoredEvent } from '../../src/event-store/event.js';
import { EventStore, READ_LOG_BATCH_SQL } from '../../src/event-store/event-store.js';
import { createMigratedDatabase } from '../support/database.js';

const meta = { correlationId: 'c-1', actor: 'tester' };
const event = (n: number) => ({ type: 'Thing', data: { n } });

describe('event store (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let store: EventStore;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
    store = new EventStore(pool);
  });
  afterAll(() => close());

  /** The checkpoint after everything committed so far. */
  async function logEnd(): Promise<LogCheckpoint> {
    const last = (await readAll()).at(-1);
    return last ? { transactionId: last.transactionId, position: last.position } : LOG_START;
  }

  async function readAll(from: LogCheckpoint = LOG_START): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let checkpoint = from;
    for (;;) {
      const batch = await store.readLog(checkpoint, 100);
      if (batch.length === 0) return out;
      out.push(...batch);
      const last = batch[batch.length - 1];
      checkpoint = { transactionId: last.transactionId, position: last.position };
    }
  }

  it('appends and reads a stream back with versions, metadata and positions', async () => {
    const id = randomUUID();
    const result = await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(1), event(2)] }], meta);
    expect(result.versions.get(id)).toBe(2);
    const events = await store.readStream(id);
    expect(events.map((e) => [e.version, e.type, e.data, e.streamType, e.schemaVersion])).toEqual([
      [1, 'Thing', { n: 1 }, 'thing', 1],
      [2, 'Thing', { n: 2 }, 'thing', 1],
    ]);
    expect(events[0].metadata).toEqual(meta);
    expect(result.lastPosition).toBe(events[1].position);
    expect(BigInt(events[1].position)).toBeGreaterThan(BigInt(events[0].position));

    await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 2, events: [event(3)] }], meta);
    expect((await store.readStream(id, { toVersion: 2 })).map((e) => e.version)).toEqual([1, 2]);
    const asOf = new Date(events[1].occurredAt);
    expect((await store.readStream(id, { asOf })).length).toBeGreaterThanOrEqual(2);
    expect((await store.readStream(id, { asOf: new Date(0) })).length).toBe(0);
  });

  it('rejects an append at the wrong expected version, lower or higher, writing nothing', async () => {
    const id = randomUUID();
    await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(1), event(2)] }], meta);
    await expect(store.append([{ streamId: id, streamType: 'thing', expectedVersion: 1, events: [event(9)] }], meta)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append([{ streamId: id, streamType: 'thing', expectedVersion: 5, events: [event(9)] }], meta)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(9)] }], meta)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream(id)).length).toBe(2);
    const any = await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 'any', events: [event(3)] }], meta);
    expect(any.versions.get(id)).toBe(3);
  });

  it('lets exactly one of 50 concurrent appends at the same expected version win, every round', async () => {
    for (let round = 0; round < 10; round++) {
      const id = randomUUID();
      await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(0)] }], meta);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store.append([{ streamId: id, streamType: 'thing', expectedVersion: 1, events: [event(i)] }], meta)),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won.length).toBe(1);
      expect(lost.length).toBe(49);
      for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
      expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
    }
  });

  it('writes nothing to any stream when a multi-stream append conflicts on one of them', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await store.append([{ streamId: b, streamType: 'thing', expectedVersion: 0, events: [event(1)] }], meta);
    await expect(
      store.append(
        [
          { streamId: a, streamType: 'thing', expectedVersion: 0, events: [event(1)] },
          { streamId: b, streamType: 'thing', expectedVersion: 0, events: [event(2)] },
          { streamId: c, streamType: 'thing', expectedVersion: 'any', events: [event(3)] },
        ],
        meta,
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(a)).toEqual([]);
    expect((await store.readStream(b)).length).toBe(1);
    expect(await store.readStream(c)).toEqual([]);

    const ok = await store.append(
      [
        { streamId: a, streamType: 'thing', expectedVersion: 0, events: [event(1)] },
        { streamId: b, streamType: 'thing', expectedVersion: 1, events: [event(2), event(3)] },
      ],
      meta,
    );
    expect([ok.versions.get(a), ok.versions.get(b)]).toEqual([1, 3]);
  });

  it('rolls back the events when work in the same transaction fails', async () => {
    const id = randomUUID();
    await expect(
      store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(1)] }], meta, {
        inTransaction: async () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    expect(await store.readStream(id)).toEqual([]);
  });

  it('never lets the log reader pass a transaction that commits late', async () => {
    const before = await readAll();
    const checkpointAt = (events: StoredEvent[]): LogCheckpoint =>
      events.length ? { transactionId: events.at(-1)!.transactionId, position: events.at(-1)!.position } : LOG_START;
    const start = checkpointAt(before);

    const slow = await pool.connect();
    const slowStream = randomUUID();
    try {
      // The slow writer takes its position first, then holds its transaction open.
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
         VALUES ($1, $2, 'thing', 1, 'Slow', '{}', '{}')`,
        [randomUUID(), slowStream],
      );
      const fast = randomUUID();
      await store.append([{ streamId: fast, streamType: 'thing', expectedVersion: 0, events: [event(1)] }], meta);

      // While the slow transaction is open, the reader must not hand out the later, committed event.
      const whileOpen = await readAll(start);
      expect(whileOpen).toEqual([]);
      // ... and says that committed events are being held back, so a reader knows to look again soon.
      expect(await store.readLogBatch(start, 100)).toEqual({ events: [], heldBack: true });

      await slow.query('COMMIT');
      const after = await readAll(start);
      expect(after.map((e) => e.type)).toEqual(['Slow', 'Thing']);
      // Read again from the checkpoint: nothing twice, nothing held back.
      expect(await readAll(checkpointAt(after))).toEqual([]);
      expect(await store.readLogBatch(start, 100)).toEqual({ events: after, heldBack: false });
    } finally {
      slow.release();
    }
  });

  it('refuses an append that is not the first write of its transaction (a reader may have passed its id)', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE IF NOT EXISTS bystander (n int)');
      await client.query('BEGIN');
      await client.query('INSERT INTO bystander VALUES (1)');
      await expect(
        client.query(`INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
                      VALUES ($1, $2, 'thing', 1, 'Late', '{}', '{}')`, [randomUUID(), randomUUID()]),
      ).rejects.toThrow(/first write of its transaction/);
      await client.query('ROLLBACK');
      // An append first, then other writes, then another append: fine.
      await client.query('BEGIN');
      const insert = `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
                      VALUES ($1, $2, 'thing', 1, 'Thing', '{}', '{}')`;
      await client.query(insert, [randomUUID(), randomUUID()]);
      await client.query('INSERT INTO bystander VALUES (1)');
      await client.query(insert, [randomUUID(), randomUUID()]);
      await client.query('COMMIT');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('hands out every committed event once, in log order, while appends commit late and other writers come and go', async () => {
    const start = await logEnd();
    const seen: StoredEvent[] = [];
    let done = false;
    // A reader following the log as a projection does, from its own checkpoint.
    const reader = (async () => {
      let checkpoint = start;
      for (let idle = 0; idle < 3; ) {
        const { events, heldBack } = await store.readLogBatch(checkpoint, 50);
        seen.push(...events);
        if (events.length > 0) checkpoint = { transactionId: events.at(-1)!.transactionId, position: events.at(-1)!.position };
        if (done && events.length === 0 && !heldBack) idle++;
      }
    })();
    await pool.query('CREATE TABLE IF NOT EXISTS bystander (n int)');
    const bystanders = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 40; i++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO bystander VALUES (1)');
          await sleep(Math.random() * 10);
          await client.query(i % 3 === 0 ? 'ROLLBACK' : 'COMMIT');
        } finally {
          client.release();
        }
      }
    });
    const writers = Array.from({ length: 12 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        const rollBack = (w + i) % 7 === 0;
        await store
          .append([{ streamId: randomUUID(), streamType: 'thing', expectedVersion: 0, events: [event(i), event(i + 1)] }], meta, {
            // Positions are taken at insert; the commit comes later, in another order than the positions.
            inTransaction: async () => {
              await sleep(Math.random() * 10);
              if (rollBack) throw new Error('roll back');
            },
          })
          .catch((error: unknown) => {
            if (!rollBack) throw error;
          });
      }
    });
    await Promise.all([...writers, ...bystanders]);
    done = true;
    await reader;
    const committed = await readAll(start);
    expect(committed.length).toBeGreaterThan(400);
    expect(seen.map((e) => e.position)).toEqual(committed.map((e) => e.position));
  });

  it('checks for held-back events with an index probe, never a scan of the whole log', async () => {
    // A database of its own: a log of 20,000 events in 400 transactions that autovacuum has not analyzed
    // yet (a new deployment, a burst of appends). The planner then guesses that a third of the table lies
    // above the horizon, and would find such a row sooner by scanning the table than through an index.
    const own = await createMigratedDatabase();
    try {
      for (let i = 0; i < 400; i++) {
        await own.pool.query(`INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
          SELECT gen_random_uuid(), gen_random_uuid(), 'thing', 1, 'Thing', '{"n":1}', '{}' FROM generate_series(1, 50)`);
      }
      const { rows } = await own.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${READ_LOG_BATCH_SQL}`, ['0', '0', 500]);
      // The held-back check (an init plan) must probe an index. The batch itself may scan: from checkpoint
      // 0 it reads the whole table anyway, and with statistics the planner prefers the ordered index.
      // (The horizon's init plans scan pg_locks and pg_database, a few rows.)
      const probes = initPlanNodes(rows[0]['QUERY PLAN'], 'events');
      expect(probes).not.toContain('Seq Scan');
      expect(probes.length).toBeGreaterThan(0);
      // The read is a named prepared statement: after five runs PostgreSQL may keep a plan made without
      // the parameters, which must walk the log-order index too (the checkpoint may be anywhere).
      const { rows: generic } = await own.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${READ_LOG_BATCH_SQL}`);
      const scans = planNodes(generic[0]['QUERY PLAN'], 'events');
      expect(scans).not.toContain('Seq Scan');
      expect(scans.length).toBeGreaterThan(1);
    } finally {
      await own.close();
    }
  });

  describe('group commit', () => {
    const one = (streamId: string, expectedVersion: number | 'any', data: unknown = { n: 1 }) => [
      { streamId, streamType: 'thing', expectedVersion, events: [{ type: 'Thing', data }] },
    ];
    const transactionsOf = async (streamIds: string[]) =>
      (await pool.query(`SELECT DISTINCT transaction_id FROM events WHERE stream_id = ANY($1)`, [streamIds])).rowCount;

    it('writes concurrent commands in one statement, accepting or refusing each on its own', async () => {
      const stale = randomUUID();
      await store.append(one(stale, 0), meta);
      const fresh = Array.from({ length: 20 }, () => randomUUID());
      const outcomes = await Promise.allSettled([
        ...fresh.map((id) => store.append(one(id, 0), meta)),
        store.append(one(stale, 0), meta),
        store.append(one(stale, 'any'), meta),
      ]);
      const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason));
      for (const [i, id] of fresh.entries()) {
        expect(values[i].versions.get(id)).toBe(1);
        expect((await store.readStream(id))[0].position).toBe(values[i].lastPosition);
      }
      // The stale command alone is refused; the one on the same stream with 'any' waits for it, then wins.
      expect(values[20]).toBeInstanceOf(ConcurrencyError);
      expect(values[21].versions.get(stale)).toBe(2);
      expect((await store.readStream(stale)).map((e) => e.version)).toEqual([1, 2]);
      expect(await transactionsOf(fresh)).toBe(1);
    });

    it('fails only the command whose version a writer outside the statement took first', async () => {
      const other = new EventStore(pool); // another instance of the service
      const [taken, free1, free2] = [randomUUID(), randomUUID(), randomUUID()];
      await store.append(one(taken, 0), meta);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // The other instance writes version 2 of `taken` and holds its transaction open.
      const first = other.append(one(taken, 1), meta, { inTransaction: () => gate });
      await waitFor(async () => (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()`)).rowCount! > 0);
      const group = Promise.allSettled([store.append(one(taken, 1), meta), store.append(one(free1, 0), meta), store.append(one(free2, 0), meta)]);
      // Our statement passes the head check (version 2 is not committed) and blocks on the unique index.
      await waitFor(async () => (await pool.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rowCount! > 0);
      release();
      await first;
      const [lost, won1, won2] = await group;
      expect(lost.status === 'rejected' && lost.reason).toBeInstanceOf(ConcurrencyError);
      expect(won1.status === 'fulfilled' && won1.value.versions.get(free1)).toBe(1);
      expect(won2.status === 'fulfilled' && won2.value.versions.get(free2)).toBe(1);
      expect((await store.readStream(taken)).map((e) => e.metadata.actor)).toEqual(['tester', 'tester']);
    });

    it('fails only the command whose data the server refuses', async () => {
      const [good1, bad, good2] = [randomUUID(), randomUUID(), randomUUID()];
      const outcomes = await Promise.allSettled([
        store.append(one(good1, 0), meta),
        // PostgreSQL's jsonb cannot hold \u0000.
        store.append(one(bad, 0, { text: 'a\u0000b' }), meta),
        store.append(one(good2, 0), meta),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.readStream(bad)).toEqual([]);
      expect((await store.readStream(good1)).length + (await store.readStream(good2)).length).toBe(2);
    });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the events table', async () => {
    const id = randomUUID();
    await store.append([{ streamId: id, streamType: 'thing', expectedVersion: 0, events: [event(1)] }], meta);
    await expect(pool.query(`UPDATE events SET type = 'Changed' WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM events WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE events`)).rejects.toThrow(/append-only/);
    expect((await store.readStream(id))[0].type).toBe('Thing');
  });
});

/** Polls `condition` until it holds (fails the test after 10 s). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await condition()); ) {
    if (Date.now() - started > 10_000) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The node types inside the init plans and sub plans of an EXPLAIN (FORMAT JSON) plan that read `relation`. */
/** The node types of every scan of `relation` in an EXPLAIN (FORMAT JSON) plan. */
function planNodes(plan: unknown, relation: string): string[] {
  if (Array.isArray(plan)) return plan.flatMap((p) => planNodes(p, relation));
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as { 'Node Type'?: string; 'Relation Name'?: string; Plan?: unknown; Plans?: unknown[] };
  return [...(node['Node Type'] && node['Relation Name'] === relation ? [node['Node Type']] : []), ...planNodes(node.Plan ?? [], relation), ...planNodes(node.Plans ?? [], relation)];
}

function initPlanNodes(plan: unknown, relation: string, inside = false): string[] {
  if (Array.isArray(plan)) return plan.flatMap((p) => initPlanNodes(p, relation, inside));
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as { 'Node Type'?: string; 'Relation Name'?: string; 'Parent Relationship'?: string; Plan?: unknown; Plans?: unknown[] };
  const within = inside || node['Parent Relationship'] === 'InitPlan' || node['Parent Relationship'] === 'SubPlan';
  return [
    ...(within && node['Node Type'] && node['Relation Name'] === relation ? [node['Node Type']] : []),
    ...initPlanNodes(node.Plan ?? [], relation, within),
    ...initPlanNodes(node.Plans ?? [], relation, within),
  ];
}
