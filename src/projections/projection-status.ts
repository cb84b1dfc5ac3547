import type pg from 'pg';
import type { EventStore } from '../event-store/event-store.js';
import { IN_THIS_DATABASE } from '../event-store/log-horizon.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { lockKey } from './projection-locks.js';
import { readProjectionProgress } from './projection-progress.js';

export type ProjectionState = 'running' | 'rebuilding' | 'failed';

/** One row of `GET /admin/projections`. */
export interface ProjectionStatus {
  readonly name: string;
  /** The checkpoint's position: the last applied event. */
  readonly position: string;
  readonly headPosition: string;
  /** Events after the checkpoint, in log order. */
  readonly lag: number;
  readonly status: ProjectionState;
  readonly lastError?: string;
}

export interface StatusSources {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
}

/** Each named projection's status, as any instance sees it (from the checkpoint table and the locks). */
export async function readProjectionStatuses({ pool, store, checkpoints }: StatusSources, names: readonly string[]): Promise<ProjectionStatus[]> {
  const [rows, headPosition, rebuilding, progress] = await Promise.all([
    checkpoints.readMany(names),
    store.headPosition(),
    rebuildingNames(pool, names),
    readProjectionProgress(pool, names),
  ]);
  const progressOf = new Map(progress.map((p) => [p.name, p]));
  return names.map((name) => {
    const row = rows.get(name);
    const lastError = row?.lastError ?? (row?.rebuildError ? `rebuild failed: ${row.rebuildError}` : undefined);
    return {
      name,
      position: progressOf.get(name)?.position ?? '0',
      headPosition,
      lag: progressOf.get(name)?.lagEvents ?? 0,
      status: rebuilding.has(name) ? 'rebuilding' : (row?.status ?? 'running'),
      ...(lastError ? { lastError } : {}),
    };
  });
}

/** Projections some instance is rebuilding: whoever holds the rebuild lock (pg_locks is cluster-wide). */
async function rebuildingNames(pool: pg.Pool, names: readonly string[]): Promise<Set<string>> {
  const keys = names.map((name) => lockKey('rebuild', name));
  const { rows } = await pool.query<{ i: number }>(
    `SELECT k.i FROM unnest($1::oid[], $2::oid[]) WITH ORDINALITY AS k(class_id, obj_id, i)
     WHERE EXISTS (SELECT 1 FROM pg_locks l
                   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                     AND l.${IN_THIS_DATABASE}
                     AND l.classid = k.class_id AND l.objid = k.obj_id)`,
    [keys.map((k) => k.classId), keys.map((k) => k.objId)],
  );
  return new Set(rows.map((row) => names[Number(row.i) - 1]));
}
