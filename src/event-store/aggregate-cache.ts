import { LRUCache } from 'lru-cache';
import type { Projector } from './decider.js';
import type { NewEvent } from './event.js';

export interface CachedState<S> {
  readonly state: S;
  readonly version: number;
  readonly position: string;
}

/** Entries per projector; a cart or product state is a few hundred bytes. */
const MAX_ENTRIES = 20_000;

/**
 * Recently folded aggregates, so a command on a warm aggregate reads nothing before it appends.
 *
 * The cache may be stale (another instance appended): that is safe because every append carries the
 * version the state was folded at, and the unique (stream_id, version) index refuses a stale one. The
 * runner then forgets the streams it used and decides again from the database. Only streams that exist
 * are cached, so "does not exist yet" is always read fresh.
 */
export class AggregateCache {
  private readonly byProjector = new Map<Projector<unknown, NewEvent>, LRUCache<string, CachedState<unknown>>>();

  get<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string): CachedState<S> | undefined {
    return this.byProjector.get(projector as Projector<unknown, NewEvent>)?.get(streamId) as CachedState<S> | undefined;
  }

  set<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, entry: CachedState<S>): void {
    if (entry.version === 0) return;
    const key = projector as Projector<unknown, NewEvent>;
    let cache = this.byProjector.get(key);
    if (!cache) this.byProjector.set(key, (cache = new LRUCache({ max: MAX_ENTRIES })));
    // Two commands may finish out of order: never replace a newer fold with an older one.
    const current = cache.get(streamId);
    if (!current || current.version < entry.version) cache.set(streamId, entry);
  }

  /** Drops every cached fold of these streams. */
  forget(streamIds: Iterable<string>): void {
    for (const id of streamIds) for (const cache of this.byProjector.values()) cache.delete(id);
  }
}
