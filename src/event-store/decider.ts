import type { NewEvent } from './event.js';

/** How an aggregate's state is folded from its events: pure, no I/O. */
export interface Projector<S, E extends NewEvent> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
  /**
   * Bump it when the fold changes in a way the source of `evolve` and `initialState` does not show (a
   * helper `evolve` calls, an upcaster): stored snapshots of the old fold are then never read again.
   * A change to `evolve` itself or to `initialState` needs no bump (see snapshot-shape.ts).
   */
  readonly snapshotVersion?: number;
}

/** What a decider that reads no other stream is handed as its reads. */
export type NoReads = Readonly<Record<never, never>>;

/** Events a decision appends to a stream other than the command's own, in the same atomic append. */
export interface OtherStreamAppend {
  readonly streamId: string;
  readonly streamType: string;
  readonly events: readonly NewEvent[];
  /**
   * What that stream must be at for the append to succeed:
   * - `read` (the default): at the version this decision read it at (it must be one of its reads);
   * - `new`: not exist yet (a new order; a stream named by a natural key, see stream-id.ts);
   * - `any`: anything, for events that only loosen that stream's invariants (stock given back).
   */
  readonly expect?: 'read' | 'new' | 'any';
}

/** A decision that also appends to other streams (checkout: the order and the stock reservations). */
export interface SpanningDecision<E extends NewEvent> {
  /** The command's own stream's events. */
  readonly events: E[];
  readonly also: readonly OtherStreamAppend[];
}

/** What `decide` answers: the command's own stream's events, or those and other streams' events. */
export type Decision<E extends NewEvent> = E[] | SpanningDecision<E>;

/**
 * An aggregate as a pair of pure functions: `decide(command, state, reads) -> events` over `evolve`.
 * `reads` holds the folded states of the other streams the decision reads, by name (`R`, e.g.
 * `{ product: ProductView }`), which the handler names for the runner (see stream-reads.ts); a decider
 * that reads nothing leaves `R` out and ignores the argument.
 */
export interface Decider<C, S, E extends NewEvent, R = NoReads, D extends Decision<E> = E[]> extends Projector<S, E> {
  decide(command: C, state: S, reads: R): D;
}

/** Folds events into a state. */
export function fold<S, E extends NewEvent>(projector: Projector<S, E>, events: readonly E[], from = projector.initialState): S {
  return events.reduce((state, event) => projector.evolve(state, event), from);
}

/** Makes a switch exhaustive: adding a command or event type without handling it fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
