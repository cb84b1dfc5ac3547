import { expect } from 'vitest';
import { fold, type Decider, type Decision, type NoReads } from './decider.js';
import type { NewEvent } from './event.js';
import { DomainError } from './errors.js';

/**
 * Given/when/then for pure decisions, the shape of Emmett's `DeciderSpecification`:
 *
 *   const spec = deciderSpec(cartDecider);
 *   spec.given([created], { product: existing }).when(addItem).then([itemAdded]);
 *   spec.given([]).when(addItem).thenThrows('NOT_FOUND');
 *
 * Test-only (it asserts with Vitest), so tsconfig.json keeps `*.spec-kit.ts` out of the build.
 */
export interface DecisionSpec<G, C, R> {
  given(given: G): {
    when(command: C): DecisionOutcome<R>;
  };
}

export interface DecisionOutcome<R> {
  /**
   * The decision is exactly `expected` (events in order, `[]` for "nothing happens"), strictly: events
   * are stored as plain data, so a key holding `undefined` or a class instance is a difference too.
   */
  then(expected: R): void;
  /**
   * The decision is refused with a domain error of this stable `code` and a human message (the contract's
   * error body); with `details`, exactly these details too (they are part of the answer a client gets).
   */
  thenThrows(code: string, details?: unknown[]): void;
}

/** A decider's spec, given the events on its own stream and, if it reads other streams, their states. */
export interface DeciderSpec<C, E extends NewEvent, R, D> {
  given(events: readonly E[], ...reads: NoReads extends R ? [reads?: R] : [reads: R]): {
    when(command: C): DecisionOutcome<D>;
  };
}

/** A decider's spec: the given events are folded with its own `evolve` from its `initialState`. */
export function deciderSpec<C, S, E extends NewEvent, R, D extends Decision<E>>(decider: Decider<C, S, E, R, D>): DeciderSpec<C, E, R, D> {
  const spec = decisionSpec((given: { events: readonly E[]; reads: R }, command: C) => decider.decide(command, fold(decider, given.events), given.reads));
  return { given: (events, ...[reads]) => spec.given({ events, reads: reads ?? ({} as R) }) };
}

/**
 * The same for a decision that is not a single decider (e.g. one over several streams): `decide` turns
 * what is given (usually events per stream) and the command into its result.
 */
export function decisionSpec<G, C, R>(decide: (given: G, command: C) => R): DecisionSpec<G, C, R> {
  return {
    given: (given) => ({
      when(command) {
        const run = () => decide(given, command);
        return {
          then(expected) {
            expect(run()).toStrictEqual(expected);
          },
          thenThrows(code, details) {
            const error = caught(run);
            expect(error, 'the decision throws a domain error').toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe(code);
            expect((error as DomainError).message, 'a refusal says why in words').not.toBe('');
            if (details !== undefined) expect((error as DomainError).details).toEqual(details);
          },
        };
      },
    }),
  };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
