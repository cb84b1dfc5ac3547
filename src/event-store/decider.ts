import type { NewEvent } from './event.js';

/** How an aggregate's state is folded from its events: pure, no I/O. */
export interface Projector<S, E extends NewEvent> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
}

/** An aggregate as a pair of pure functions: `decide(command, state) -> events` over `evolve`. */
export interface Decider<C, S, E extends NewEvent> extends Projector<S, E> {
  decide(command: C, state: S): E[];
}

/** Folds events into a state. */
export function fold<S, E extends NewEvent>(projector: Projector<S, E>, events: readonly E[], from = projector.initialState): S {
  return events.reduce((state, event) => projector.evolve(state, event), from);
}

/** Makes a switch exhaustive: adding a command or event type without handling it fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
