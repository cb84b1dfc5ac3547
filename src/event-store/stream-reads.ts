import type { CommandSession } from './command-session.js';
import type { Projector } from './decider.js';
import type { NewEvent } from './event.js';

/**
 * A stream (or several) a decision reads besides the command's own, folded into a `T` for the decider.
 * Made by `read` or `readEach`; the runner loads it in the command's session, so that a retry reads
 * it again and a guard knows the version it was read at.
 */
export interface StreamRead<T> {
  load(session: CommandSession): Promise<T>;
}

/** The reads a handler names for a decider whose reads are `R`: one StreamRead per name. */
export type Reads<R> = { readonly [K in keyof R]: StreamRead<R[K]> };

export interface ReadOptions {
  /**
   * The decision relies on a fact of this stream that can still change and must not change under it:
   * the append then succeeds only if the stream is still at the version read (else the command is
   * decided again). See README.md, "Reading other streams".
   */
  readonly guard?: boolean;
  /** The stream must be of this type: an id of a stream of another type answers NOT_FOUND. */
  readonly streamType?: string;
}

/** One stream, folded by `projector` (its initial state if the stream does not exist). */
export function read<V, E extends NewEvent>(projector: Projector<V, E>, streamId: string, options: ReadOptions = {}): StreamRead<V> {
  return { load: async (session) => (await session.load(projector, streamId, options)).state };
}

/** Several streams of one kind, folded by `projector`, by stream id (the cart's products at checkout). */
export function readEach<V, E extends NewEvent>(
  projector: Projector<V, E>,
  streamIds: readonly string[],
  options: ReadOptions = {},
): StreamRead<ReadonlyMap<string, V>> {
  return {
    async load(session) {
      const ids = [...new Set(streamIds)];
      const loaded = await Promise.all(ids.map((id) => session.load(projector, id, options)));
      return new Map(ids.map((id, i) => [id, loaded[i].state]));
    },
  };
}

/** Loads every named read, concurrently, into the decider's `reads`. */
export async function loadReads<R>(session: CommandSession, reads: Reads<R>): Promise<R> {
  // An optional read may be named with `undefined`: the decider then gets no such key.
  const names = (Object.keys(reads) as (keyof R)[]).filter((name) => reads[name] !== undefined);
  const values = await Promise.all(names.map((name) => reads[name].load(session)));
  return Object.fromEntries(names.map((name, i) => [name, values[i]])) as R;
}
