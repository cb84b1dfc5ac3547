import { fold, type Projector } from './decider.js';
import type { AggregateCache } from './aggregate-cache.js';
import { NotFoundError, WrongExpectedVersionError } from './errors.js';
import type { NewEvent, StoredEvent } from './event.js';
import type { EventStore } from './event-store.js';
import type { CommandContext } from './command-runner.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface Loaded<S> {
  readonly state: S;
  readonly version: number;
  /** Position of the stream's last event ('0' for a new stream). */
  readonly position: string;
  /** The version of the stream's newest snapshot of this fold, as far as this instance knows (0: none). */
  readonly snapshotVersion?: number;
}

export interface LoadOptions {
  /** The command's own stream: the command's `If-Match` applies to it, and the decision relies on it. */
  readonly primary?: boolean;
  /**
   * With it, a stream of another type is not found: an id taken from a request may name a stream of
   * another kind (a cart's id sent as a product's), whose events this projector cannot fold.
   */
  readonly streamType?: string;
  /** The append succeeds only if this stream is still at the version read here (see README.md). */
  readonly guard?: boolean;
}

/** The streams one attempt of a command has read, at which versions, and through which projector. */
export class CommandSession {
  readonly versions = new Map<string, number>();
  readonly loaded = new Map<string, { projector: Projector<unknown, NewEvent>; state: unknown; snapshotVersion: number }>();
  /** The streams whose version the append must still find (guarded reads and the primary stream). */
  readonly guarded = new Set<string>();
  /** Whether any state this attempt decided on came from the cache. */
  usedCache = false;

  constructor(
    private readonly store: EventStore,
    /** Null when this attempt must read everything from the database. */
    private readonly cache: AggregateCache | null,
    private readonly context: CommandContext,
    /** Without it, a load folds the whole stream and stores no snapshot. */
    private readonly snapshots?: SnapshotStore,
  ) {}

  /**
   * Loads and folds a stream, from the cache when warm. A cached state may be stale (another instance
   * appended since): the append's version checks catch it for the streams it appends to or guards.
   */
  async load<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, options: LoadOptions = {}): Promise<Loaded<S>> {
    const expected = options.primary ? this.context.expectedVersion : undefined;
    let loaded = this.cache?.get(projector, streamId);
    // A cached version that disagrees with If-Match may just be stale: only the database may say 412.
    if (loaded && (expected === undefined || loaded.version === expected)) {
      this.usedCache = true;
    } else {
      loaded = await this.read(projector, streamId, options.streamType);
      this.cache?.set(projector, streamId, loaded);
    }
    this.versions.set(streamId, loaded.version);
    this.loaded.set(streamId, { projector: projector as Projector<unknown, NewEvent>, state: loaded.state, snapshotVersion: loaded.snapshotVersion ?? 0 });
    if (options.primary || options.guard) this.guarded.add(streamId);
    if (expected !== undefined && expected !== loaded.version) {
      if (loaded.version === 0) throw new NotFoundError();
      throw new WrongExpectedVersionError(streamId, expected, loaded.version);
    }
    return loaded;
  }

  /** The stream from the database: its snapshot and the events after it, or all its events. */
  private async read<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, streamType?: string): Promise<Loaded<S>> {
    if (this.snapshots) return this.snapshots.load(projector, streamId, { streamType });
    const events = (await this.store.readStream(streamId)) as unknown as StoredEvent<E>[];
    if (streamType !== undefined && events.length > 0 && events[0].streamType !== streamType) throw new NotFoundError();
    return {
      state: fold(projector, events as unknown as E[]),
      version: events.length ? events[events.length - 1].version : 0,
      position: events.length ? events[events.length - 1].position : '0',
    };
  }
}
