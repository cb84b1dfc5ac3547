import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { arrayLiteral } from '../database/array-literal.js';
import { isConnectionError } from '../database/connection-loss.js';
import { PG_POOL } from '../database/database.tokens.js';
import { ConcurrencyError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { HORIZON_CTES } from './log-horizon.js';
import { PositionLookup } from './position-lookup.js';
import { groupCommitBatchSize } from '../observability/metrics.js';
import { LOG_START, type AppendResult, type EventMetadata, type LogCheckpoint, type StoredEvent, type StreamAppend } from './event.js';
import { SharedLogReads } from './shared-log-reads.js';

const UNIQUE_VIOLATION = '23505';
/**
 * The columns of `events` that toStoredEvent maps (snapshot-store.ts reads a stream's tail with them).
 * `occurred_at` comes as the ISO text StoredEvent carries, built by PostgreSQL: pg's parse into a Date
 * (and toISOString after it) was 7.5% of a rebuild's CPU.
 */
export const EVENT_COLUMNS = `global_position, event_id, stream_id, stream_type, version, type, schema_version,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, data, metadata, transaction_id`;

/*
 * One statement appends for one or several commands (a group commit, see group-commit.ts), each to one
 * or several streams. It checks every stream's head against its expected version and inserts a
 * command's events only if all of that command's checks pass; other commands in the statement are not
 * affected. Two writers that both pass the check race on the unique (stream_id, version) index; the
 * loser gets 23505. Being a single statement, it is atomic without an explicit transaction, which
 * saves two round trips per command.
 */
const APPEND_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[],
                       $8::jsonb[], $9::jsonb[], $10::int[])
    WITH ORDINALITY AS t(event_id, stream_id, stream_type, expected, seq, type, schema_version, data, metadata,
                         command, ord)
), heads AS (
  SELECT s.command, s.stream_id, s.expected,
         coalesce((SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id), 0) AS current
  FROM (SELECT DISTINCT command, stream_id, expected FROM input) s
), accepted AS (
  SELECT command FROM heads GROUP BY command HAVING bool_and(expected < 0 OR expected = current)
)
INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version, data, metadata)
SELECT i.event_id, i.stream_id, i.stream_type, h.current + i.seq, i.type, i.schema_version, i.data, i.metadata
FROM input i JOIN heads h USING (command, stream_id)
WHERE i.command IN (SELECT command FROM accepted)
ORDER BY i.ord
RETURNING global_position, stream_id, version`;

/*
 * APPEND_SQL for a statement in which some command has guards ($11..$13: command, stream, version): a
 * command's events go in only if, besides its own streams, every stream it guards is at the version
 * its decision read. Checked against the statement's snapshot: a guarded stream's change that commits
 * before the statement starts fails the guard; one that commits while it runs is ordered after the
 * decision, which is consistent (see README.md, "Reading other streams"). Kept apart from APPEND_SQL so
 * that a command without guards pays nothing for them.
 */
const GUARDED_APPEND_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[],
                       $8::jsonb[], $9::jsonb[], $10::int[])
    WITH ORDINALITY AS t(event_id, stream_id, stream_type, expected, seq, type, schema_version, data, metadata,
                         command, ord)
), heads AS (
  SELECT s.command, s.stream_id, s.expected,
         coalesce((SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id), 0) AS current
  FROM (SELECT DISTINCT command, stream_id, expected FROM input) s
), guards AS (
  SELECT g.command, g.expected,
         coalesce((SELECT max(e.version) FROM events e WHERE e.stream_id = g.stream_id), 0) AS current
  FROM unnest($11::int[], $12::uuid[], $13::int[]) AS g(command, stream_id, expected)
), accepted AS (
  SELECT command FROM (SELECT command, expected, current FROM heads
                       UNION ALL SELECT command, expected, current FROM guards) checks
  GROUP BY command HAVING bool_and(expected < 0 OR expected = current)
)
INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version, data, metadata)
SELECT i.event_id, i.stream_id, i.stream_type, h.current + i.seq, i.type, i.schema_version, i.data, i.metadata
FROM input i JOIN heads h USING (command, stream_id)
WHERE i.command IN (SELECT command FROM accepted)
ORDER BY i.ord
RETURNING global_position, stream_id, version`;

/** The log after a checkpoint ($1, $2), below the horizon (log-horizon.ts), in log order, $3 at most. */
const READ_LOG_AFTER = `
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < (SELECT xid FROM horizon)
  ORDER BY transaction_id, global_position
  LIMIT $3`;

/** readLog's query. */
const READ_LOG_SQL = `WITH ${HORIZON_CTES} ${READ_LOG_AFTER}`;

/**
 * readLogBatch's query: readLog's, with the held-back check. Events are held back when the newest visible event's transaction is at or above
 * the horizon (every such event is after the checkpoint, which was read below an older horizon). That is
 * asked as "the newest transaction id", one backward probe of the log-order index, and not as EXISTS
 * (... transaction_id >= horizon): the planner cannot know the horizon, guesses that a third of the
 * table qualifies, and scans the table from its start for a row that sits at its end (the add-item
 * benchmark caught it: 5 to 35 ms per read, growing with the log, four projections reading).
 */
export const READ_LOG_BATCH_SQL = `WITH ${HORIZON_CTES}
SELECT held.held_back, e.* FROM
  (SELECT coalesce((SELECT xid FROM newest) >= (SELECT xid FROM horizon), false) AS held_back) held
LEFT JOIN LATERAL (${READ_LOG_AFTER}) e ON true`;

/**
 * The statements every command and every reader runs, named: pg prepares each once per connection, and
 * PostgreSQL stops planning it anew on every call (under the add-item load planning cost more than
 * running: 0.49 against 0.29 ms a log read, 0.44 against 1.30 ms an append).
 */
const APPEND = { name: 'eventshop.append', text: APPEND_SQL };
const GUARDED_APPEND = { name: 'eventshop.append-guarded', text: GUARDED_APPEND_SQL };
const READ_LOG = { name: 'eventshop.read-log', text: READ_LOG_SQL };
const READ_LOG_BATCH = { name: 'eventshop.read-log-batch', text: READ_LOG_BATCH_SQL };

/** Up to this many appends in flight at once; more wait and go out together in the next statement. */
const GROUP_COMMIT_IN_FLIGHT = 4;
/** Events per group-commit statement, at most (one command's events are never split). */
const GROUP_COMMIT_MAX_EVENTS = 1000;

export interface AppendOptions {
  /**
   * Streams this append does not write but depends on: it succeeds only if each is still at `version`
   * (0: does not exist), checked in the append's own statement. A failed guard is a ConcurrencyError.
   */
  guards?: readonly StreamGuard[];
  /**
   * Work that must commit or roll back with the events (an idempotency record, a uniqueness claim).
   * It runs in the append's transaction after the events are inserted.
   */
  inTransaction?: (client: pg.PoolClient, result: AppendResult) => Promise<void>;
}

export interface ReadStreamOptions {
  /** Only events up to this version. */
  toVersion?: number;
  /** Only events that occurred at or before this time. */
  asOf?: Date;
}

/** A read of the log after a checkpoint (readLogBatch). */
export interface LogBatch {
  readonly events: StoredEvent[];
  /** Committed events after the checkpoint exist that an older, still running append holds back. */
  readonly heldBack: boolean;
}

/** A stream an append depends on without writing to it: see AppendOptions.guards. */
export interface StreamGuard {
  readonly streamId: string;
  readonly version: number;
}

/** One command's append. */
interface AppendRequest {
  readonly streams: readonly StreamAppend[];
  readonly guards: readonly StreamGuard[];
  readonly metadata: EventMetadata;
  /** Its stream ids, for GroupCommit. */
  readonly keys: readonly string[];
  /** Its number of events, for GroupCommit. */
  readonly size: number;
}

export interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_type: string;
  version: number;
  type: string;
  schema_version: number;
  /** ISO 8601, UTC, milliseconds (see EVENT_COLUMNS). */
  occurred_at: string;
  data: unknown;
  metadata: EventMetadata;
  transaction_id: string;
}

/** Who appended, as an append listener hears it. */
export type AppendOrigin = 'this-thread' | 'other-thread';

/** The domain-free kernel over the `events` table: append with optimistic concurrency, and reads. */
@Injectable()
export class EventStore {
  private readonly appendListeners = new Set<(origin: AppendOrigin) => void>();
  private readonly groupCommit = new GroupCommit<AppendRequest, AppendResult>((batch) => this.appendGroup(batch), {
    maxInFlight: GROUP_COMMIT_IN_FLIGHT,
    maxBatchSize: GROUP_COMMIT_MAX_EVENTS,
  });

  /** Concurrent reads from one checkpoint, by any reader of this thread, share a query (see SharedLogReads). */
  private readonly sharedReads = new SharedLogReads((from, limit) => this.queryLogBatch(from, limit, this.pool));

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Calls `listener` after each committed append by this thread ('this-thread'), and when another thread
   * of this process says it appended ('other-thread', see appendedInProcess): a wake-up signal, nothing more.
   */
  onAppended(listener: (origin: AppendOrigin) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** Another thread of this process appended (the main thread and the projector thread tell each other). */
  appendedInProcess(): void {
    for (const listener of this.appendListeners) listener('other-thread');
  }

  /**
   * Appends to one or several streams atomically: every event is written, or none. Throws
   * ConcurrencyError if any stream is not at its expected version (checked, or lost at the unique index)
   * or a guarded stream is not at its version.
   */
  async append(streams: readonly StreamAppend[], metadata: EventMetadata, options: AppendOptions = {}): Promise<AppendResult> {
    const request = toAppendRequest(streams, metadata, options.guards ?? []);
    if (!options.inTransaction) return this.groupCommit.submit(request);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const [result] = await this.runAppend(client, [request]);
      if (result instanceof Error) throw result;
      await options.inTransaction(client, result);
      await client.query('COMMIT');
      this.appended();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Several commands' appends in one statement. If the statement as a whole fails on an error the
   * server reported (so nothing was written), one command may be to blame (a version taken by a writer
   * outside the statement, data the server refuses): each is then appended on its own, so that only it
   * fails. A connection lost mid-statement fails them all: whether it committed is unknown, and an
   * append retried after a commit would be decided twice.
   */
  private async appendGroup(requests: readonly AppendRequest[]): Promise<(AppendResult | Error)[]> {
    groupCommitBatchSize.observe(requests.length);
    let results: (AppendResult | Error)[];
    try {
      results = await this.runAppend(this.pool, requests);
    } catch (error) {
      if (requests.length === 1 || !isServerError(error)) throw error;
      results = await Promise.all(
        requests.map((request) => this.runAppend(this.pool, [request]).then(([result]) => result, (e: unknown) => toError(e))),
      );
    }
    if (results.some((result) => !(result instanceof Error))) this.appended();
    return results;
  }

  /** A stream's events, oldest first, optionally only up to a version or a point in time. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND version <= $2 AND occurred_at <= $3
       ORDER BY version`,
      [streamId, options.toVersion ?? 2147483647, options.asOf ?? 'infinity'],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * The global log after `checkpoint`, in commit-safe order, without ever skipping a late commit.
   *
   * Identity values are taken at insert but become visible at commit, so a transaction holding position
   * 10 can commit after one holding 11. A reader that went past 11 on positions alone would never see
   * 10. We therefore only hand out events whose transaction is older than every append still running
   * (below the horizon, see log-horizon.ts: all of those have committed or aborted), ordered by
   * (transaction_id, global_position). A reader checkpoints on that pair. Transactions that do not
   * append (in this database or any other) hold nothing back.
   */
  async readLog(checkpoint: LogCheckpoint, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>({ ...READ_LOG, values: [checkpoint.transactionId, checkpoint.position, limit] });
    return rows.map(toStoredEvent);
  }

  /**
   * readLog, plus whether events after `checkpoint` have committed that it could not hand out yet
   * because an older append is still running. A reader that finds some should look again soon rather
   * than wait for the next notification: the append holding them back may roll back (nobody notifies),
   * or be another instance's (whose notifications are batched). One round trip: the check rides along
   * with the read.
   *
   * On `db`, when given, outside any transaction: a live projection batch reads on its own pipelined
   * connection, right behind its commit. Without it, concurrent reads from the same checkpoint by any
   * reader of this thread share one query (SharedLogReads).
   */
  readLogBatch(checkpoint: LogCheckpoint, limit: number, db?: pg.PoolClient): Promise<LogBatch> {
    return db ? this.queryLogBatch(checkpoint, limit, db) : this.sharedReads.readLogBatch(checkpoint, limit);
  }

  private async queryLogBatch(checkpoint: LogCheckpoint, limit: number, db: pg.Pool | pg.PoolClient): Promise<LogBatch> {
    const { rows } = await db.query<EventRow & { held_back: boolean }>({ ...READ_LOG_BATCH, values: [checkpoint.transactionId, checkpoint.position, limit] });
    const heldBack = rows[0]?.held_back ?? false;
    const events = rows[0]?.global_position === null ? [] : rows.map(toStoredEvent);
    return { events, heldBack };
  }

  /**
   * A page of the log by position, for people and tools auditing it (projections use readLog). Only
   * events below the horizon (older than every running append) are listed, so a page does not end on
   * an event whose neighbours are still being written.
   */
  async listLog(filter: { after: string; limit: number; type?: string; streamId?: string }): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `WITH ${HORIZON_CTES}
       SELECT ${EVENT_COLUMNS} FROM events
       WHERE global_position > $1
         AND transaction_id < (SELECT xid FROM horizon)
         AND ($2::text IS NULL OR type = $2)
         AND ($3::uuid IS NULL OR stream_id = $3)
       ORDER BY global_position
       LIMIT $4`,
      [filter.after, filter.type ?? null, filter.streamId ?? null, filter.limit],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Where the readable log ends now: its last event below the horizon, in log order (LOG_START when there
   * is none). A reader at this checkpoint has read everything readLog could hand out at this moment.
   */
  async logEnd(): Promise<LogCheckpoint> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(
      `WITH ${HORIZON_CTES}
       SELECT transaction_id, global_position FROM events WHERE transaction_id < (SELECT xid FROM horizon)
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, position: rows[0].global_position } : LOG_START;
  }

  /** The log's highest position so far ('0' when empty). */
  async headPosition(): Promise<string> {
    const { rows } = await this.pool.query<{ head: string | null }>('SELECT max(global_position) AS head FROM events');
    return rows[0].head ?? '0';
  }

  /**
   * Finds where the event at `position` sits in log order, or, if no event will ever hold that position
   * (its append rolled back), where the read side has passed it: see PositionLookup.
   */
  lookupPosition(position: string): PositionLookup {
    return new PositionLookup(this.pool, position);
  }

  private appended(): void {
    for (const listener of this.appendListeners) listener('this-thread');
  }

  /** Each request's result, or a ConcurrencyError for each request whose expected versions did not hold. */
  private async runAppend(db: pg.Pool | pg.PoolClient, requests: readonly AppendRequest[]): Promise<(AppendResult | Error)[]> {
    let rows: { global_position: string; stream_id: string; version: number }[];
    try {
      const guarded = requests.some((request) => request.guards.length > 0);
      const values = toAppendParams(requests, guarded);
      ({ rows } = await db.query({ ...(guarded ? GUARDED_APPEND : APPEND), values }));
    } catch (error) {
      if (requests.length === 1 && isUniqueViolation(error, 'events_stream_version_key')) throw new ConcurrencyError();
      throw error;
    }
    const byStream = new Map<string, { version: number; position: bigint }>();
    for (const row of rows) {
      const position = BigInt(row.global_position);
      const seen = byStream.get(row.stream_id);
      if (!seen || row.version > seen.version) byStream.set(row.stream_id, { version: row.version, position });
    }
    return requests.map((request) => {
      const versions = new Map<string, number>();
      let lastPosition = 0n;
      for (const { streamId } of request.streams) {
        const head = byStream.get(streamId);
        if (!head) return new ConcurrencyError();
        versions.set(streamId, head.version);
        if (head.position > lastPosition) lastPosition = head.position;
      }
      return { versions, lastPosition: lastPosition.toString() };
    });
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

function toAppendRequest(streams: readonly StreamAppend[], metadata: EventMetadata, guards: readonly StreamGuard[]): AppendRequest {
  if (streams.length === 0) throw new Error('an append needs at least one stream');
  const keys = streams.map((stream) => stream.streamId);
  if (new Set(keys).size !== keys.length) throw new Error(`a stream appears twice in one append: ${keys.join(', ')}`);
  for (const stream of streams) {
    if (stream.events.length === 0) throw new Error(`stream ${stream.streamId} has no events to append`);
  }
  // A guard is not a key: it writes nothing, so it cannot collide with another command in its statement.
  return { streams, guards, metadata, keys, size: streams.reduce((n, stream) => n + stream.events.length, 0) };
}

function toAppendParams(requests: readonly AppendRequest[], guarded: boolean): unknown[] {
  const columns: unknown[][] = guarded ? [[], [], [], [], [], [], [], [], [], [], [], [], []] : [[], [], [], [], [], [], [], [], [], []];
  requests.forEach(({ streams, guards, metadata }, command) => {
    for (const guard of guards) {
      columns[10].push(command);
      columns[11].push(guard.streamId);
      columns[12].push(guard.version);
    }
    const metadataJson = JSON.stringify(metadata);
    for (const stream of streams) {
      stream.events.forEach((event, i) => {
        columns[0].push(randomUUID());
        columns[1].push(stream.streamId);
        columns[2].push(stream.streamType);
        columns[3].push(stream.expectedVersion === 'any' ? -1 : stream.expectedVersion);
        columns[4].push(i + 1);
        columns[5].push(event.type);
        columns[6].push(event.schemaVersion ?? 1);
        columns[7].push(JSON.stringify(event.data));
        columns[8].push(metadataJson);
        columns[9].push(command);
      });
    }
  });
  return columns.map(arrayLiteral);
}

/**
 * An error PostgreSQL reported for the statement (it has a SQLSTATE): the statement wrote nothing. Not
 * one that ends the session (a server shutting down): that may arrive after the commit.
 */
function isServerError(error: unknown): boolean {
  return error instanceof pg.DatabaseError && !isConnectionError(error);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.global_position,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamType: row.stream_type,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    occurredAt: row.occurred_at,
    data: row.data,
    metadata: row.metadata,
    transactionId: row.transaction_id,
  };
}
