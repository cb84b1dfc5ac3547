import { deserialize, serialize } from 'node:v8';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PG_POOL } from '../database/database.tokens.js';
import { fold, type Projector } from './decider.js';
import { NotFoundError } from './errors.js';
import type { NewEvent, StoredEvent } from './event.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './event-store.js';
import { SnapshotSettings } from './snapshot-settings.js';
import { snapshotShape } from './snapshot-shape.js';

/** A stream folded from its newest usable snapshot and the events after it. */
export interface SnapshotLoad<S> {
  readonly state: S;
  readonly version: number;
  /** Position of the stream's last event ('0' for a new stream). */
  readonly position: string;
  /** The stream's type (undefined when the stream does not exist). */
  readonly streamType?: string;
  /** The version of the snapshot this fold has stored or read (0: none). */
  readonly snapshotVersion: number;
}

/*
 * One round trip: the snapshot of this fold's shape, if any and not ahead of the stream (a database
 * restored from an older backup than its snapshots), and the events after it. The snapshot's bytes ride
 * on the first row only.
 */
const LOAD_SQL = `
SELECT s.version AS snapshot_version, s.stream_type AS snapshot_stream_type, s.position AS snapshot_position,
       CASE WHEN e.version IS NULL OR e.version = s.version + 1 THEN s.state END AS snapshot,
       e.*
FROM (SELECT 1) one
LEFT JOIN stream_snapshots s
  ON s.stream_id = $1 AND s.shape = $2
 AND s.version <= (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1)
LEFT JOIN LATERAL (
  SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version > coalesce(s.version, 0) ORDER BY version
) e ON true
ORDER BY e.version`;

/** Named, so each connection prepares it once (a command loads one or more streams; see APPEND in event-store.ts). */
const LOAD = { name: 'eventshop.load-stream', text: LOAD_SQL };

/*
 * A newer snapshot never gives way to an older one (two instances, or two commands finishing out of
 * order). Rows of other shapes stay: another fold of the same stream may still use them (the catalog's
 * decider and checkout's product view), and an abandoned shape's rows are only dead weight (deleting any
 * snapshot, or all of them, is always safe).
 */
const SAVE_SQL = `
INSERT INTO stream_snapshots (stream_id, shape, stream_type, version, position, state)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (stream_id, shape) DO UPDATE
SET stream_type = excluded.stream_type, version = excluded.version, position = excluded.position,
    state = excluded.state, taken_at = now()
WHERE stream_snapshots.version < excluded.version`;

interface LoadRow extends Partial<EventRow> {
  snapshot_version: number | null;
  snapshot_stream_type: string | null;
  snapshot_position: string | null;
  snapshot: Buffer | null;
}

/**
 * Snapshots of folded streams (`stream_snapshots`), so that loading a long stream costs its snapshot and
 * the events after it, not the whole stream. A snapshot is a cache of a pure fold: it is stored outside
 * any command's transaction, a failed write only leaves a longer tail to fold, and one is read only by a
 * fold of the very shape that wrote it (snapshot-shape.ts). States are stored with `v8.serialize`, which
 * keeps what JSON would lose (Map, Set, Date, bigint, undefined).
 *
 * Time-travel reads (a stream as of a version or a time) still fold from the first event.
 */
@Injectable()
export class SnapshotStore implements OnModuleDestroy {
  private readonly logger = new Logger('SnapshotStore');
  private readonly settings: SnapshotSettings;
  private readonly writing = new Set<Promise<void>>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool, config: AppConfig) {
    this.settings = new SnapshotSettings(config.SNAPSHOT_EVERY);
  }

  /**
   * Folds a stream from its snapshot (when there is a usable one) and the events after it. With
   * `streamType`, a stream of another type is not found (and not folded: its events are not this fold's).
   */
  async load<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, options: { streamType?: string } = {}): Promise<SnapshotLoad<S>> {
    const { rows } = await this.pool.query<LoadRow>({ ...LOAD, values: [streamId, snapshotShape(projector as Projector<unknown, NewEvent>)] });
    const first = rows[0];
    const tail = first.global_position === null ? [] : rows.map((row) => toStoredEvent(row as EventRow) as unknown as StoredEvent<E>);
    const streamType = tail[0]?.streamType ?? first.snapshot_stream_type ?? undefined;
    if (options.streamType !== undefined && streamType !== undefined && streamType !== options.streamType) throw new NotFoundError();
    const from = first.snapshot_version ?? 0;
    const start = first.snapshot === null ? projector.initialState : (deserialize(first.snapshot) as S);
    const last = tail.at(-1);
    const loaded: SnapshotLoad<S> = {
      state: fold(projector, tail as unknown as E[], start),
      version: last?.version ?? from,
      position: last?.position ?? first.snapshot_position ?? '0',
      streamType,
      snapshotVersion: from,
    };
    return { ...loaded, snapshotVersion: this.consider(projector, streamId, loaded) };
  }

  /**
   * Stores the state as the stream's snapshot when it has grown past the last one by the setting for its
   * type, without waiting: the caller goes on at once. Answers the version of the newest snapshot known.
   */
  consider<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, loaded: SnapshotLoad<S>): number {
    const every = loaded.streamType === undefined ? 0 : this.settings.every(loaded.streamType);
    if (every === 0 || loaded.version - loaded.snapshotVersion < every) return loaded.snapshotVersion;
    const write = this.save(projector as Projector<unknown, NewEvent>, streamId, loaded).finally(() => this.writing.delete(write));
    this.writing.add(write);
    return loaded.version;
  }

  /** Waits for the snapshot writes under way (tests; shutdown, so the pool is not closed under them). */
  async flush(): Promise<void> {
    await Promise.all(this.writing);
  }

  onModuleDestroy(): Promise<void> {
    return this.flush();
  }

  private async save(projector: Projector<unknown, NewEvent>, streamId: string, loaded: SnapshotLoad<unknown>): Promise<void> {
    try {
      const state = serialize(loaded.state);
      await this.pool.query(SAVE_SQL, [streamId, snapshotShape(projector), loaded.streamType, loaded.version, loaded.position, state]);
    } catch (error) {
      // Only a longer tail to fold next time: never a command's failure.
      this.logger.warn(`snapshot of stream ${streamId} at version ${loaded.version} not stored: ${String(error)}`);
    }
  }
}
