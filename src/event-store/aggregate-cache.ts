import { LRUCache } from 'lru-cache';
import type { Projector } from './decider.js';
import { weightOf } from './cache-weight.js';
import type { NewEvent } from './event.js';

export interface CachedState<S> {
  readonly state: S;
  readonly version: number;
  readonly position: string;
  /** The version of the stream's newest snapshot of this fold, as far as this instance knows. */
  readonly snapshotVersion?: number;
}

/** States per fold, at most. */
const MAX_ENTRIES = 20_000;

/**
 * What a fold's states may weigh together, at most (see cache-weight.ts): about 5 MB, 1,000 carts of 50
 * lines or 20,000 small states. A count of states alone did not bound the memory: in a heap snapshot of
 * the request thread under the add-item load, 7,200 cached carts held 113,000 lines, some 11 MB, and that
 * grew with the carts.
 */
export const MAX_WEIGHT = 50_000;

/**
 * Recently folded aggregates, so a command on a warm aggregate reads nothing before it appends.
 *
 * The cache may be stale (another instance appended). For a stream the command appends to or guards,
 * that is safe: the append carries the version the state was folded at and fails if the stream has
 * moved on; the runner then forgets the streams it used and decides again from the database. An
 * unguarded read may see an older state than the database holds (README.md, "Reading other streams").
 * Only streams that exist are cached, so "does not exist yet" is always read fresh.
 */
export class AggregateCache {
  /*
   * Keyed by the fold (`evolve`), not by the projector object: deciders that share an aggregate's
   * evolve (the cart's commands and checkout) share its cached states.
   */
  private readonly byFold = new Map<Fold, LRUCache<string, CachedState<unknown>>>();

  get<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string): CachedState<S> | undefined {
    return this.byFold.get(projector.evolve as Fold)?.get(streamId) as CachedState<S> | undefined;
  }

  set<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, entry: CachedState<S>): void {
    if (entry.version === 0) return;
    const key = projector.evolve as Fold;
    let cache = this.byFold.get(key);
    if (!cache) this.byFold.set(key, (cache = new LRUCache({ max: MAX_ENTRIES, maxSize: MAX_WEIGHT, sizeCalculation: ({ state }) => weightOf(state) })));
    // Two commands may finish out of order: never replace a newer fold with an older one.
    const current = cache.get(streamId);
    if (!current || current.version < entry.version) cache.set(streamId, entry);
  }

  /**
   * The state of a stream just appended to, folded by `projector`. Other folds of the stream are now
   * behind it (checkout reserved stock through its product view, the catalog's decider had folded the
   * product too): they are dropped rather than left to fail a command's first attempt.
   */
  appended<S, E extends NewEvent>(projector: Projector<S, E>, streamId: string, entry: CachedState<S>): void {
    for (const [fold, cache] of this.byFold) if (fold !== projector.evolve) cache.delete(streamId);
    this.set(projector, streamId, entry);
  }

  /** Drops every cached fold of these streams. */
  forget(streamIds: Iterable<string>): void {
    for (const id of streamIds) for (const cache of this.byFold.values()) cache.delete(id);
  }
}

type Fold = Projector<unknown, NewEvent>['evolve'];
