import { createHash } from 'node:crypto';
import { serialize } from 'node:v8';
import type { Projector } from './decider.js';
import type { NewEvent } from './event.js';

const shapes = new WeakMap<object, string>();

/**
 * The version of a fold's state shape, which a snapshot is stored under and read back by: a hash of the
 * source of `evolve`, of `initialState` (its serialised bytes) and of the projector's `snapshotVersion`.
 * Editing `evolve` or `initialState` (and deploying) makes every snapshot of the old fold unreadable,
 * without anyone remembering to bump a number; `snapshotVersion` is for what the source cannot show (a
 * helper `evolve` calls). A build that emits different JavaScript for the same TypeScript (another
 * compiler version) also changes the hash: harmless, the next load folds the whole stream once more.
 *
 * Folds with the same source share their snapshots (the cart's decider and checkout share the cart's
 * evolve); two folds of identical source that call different helpers would too, which is why such a
 * helper's change needs a `snapshotVersion`.
 */
export function snapshotShape(projector: Projector<unknown, NewEvent>): string {
  let shape = shapes.get(projector);
  if (shape === undefined) {
    shape = createHash('sha256')
      .update(projector.evolve.toString())
      .update('\0')
      .update(serialize(projector.initialState))
      .update(`\0${projector.snapshotVersion ?? 0}`)
      .digest('base64url')
      .slice(0, 22);
    shapes.set(projector, shape);
  }
  return shape;
}
