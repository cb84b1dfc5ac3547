import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Projector } from '../../src/event-store/decider.js';
import type { NewEvent } from '../../src/event-store/event.js';
import { snapshotShape } from '../../src/event-store/snapshot-shape.js';

export type AnyFold = Projector<unknown, NewEvent>;

/**
 * Every fold (decider or projector) the domain modules declare, found by importing each of their source
 * files and keeping the exports shaped like a Projector: a new module's folds are covered without an
 * edit here. Folds of the same shape (checkout shares the cart's evolve) are one fold: they share
 * their snapshots. Keyed by shape, named by where they were found.
 */
export async function moduleFolds(): Promise<Map<string, { name: string; fold: AnyFold }>> {
  const root = path.resolve('src/modules');
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.split(path.sep).includes('migrations'))
    .sort();
  const folds = new Map<string, { name: string; fold: AnyFold }>();
  for (const file of files) {
    const exported = (await import(pathToFileURL(path.join(root, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (!isFold(value)) continue;
      const shape = snapshotShape(value);
      if (!folds.has(shape)) folds.set(shape, { name: `${file}: ${name}`, fold: value });
    }
  }
  return folds;
}

function isFold(value: unknown): value is AnyFold {
  return typeof value === 'object' && value !== null && 'initialState' in value && typeof (value as { evolve?: unknown }).evolve === 'function';
}
