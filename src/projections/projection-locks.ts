import { createHash } from 'node:crypto';

/**
 * PostgreSQL advisory locks, keyed on (kind, hash of the projection name) with the two-int4 form:
 * - `applier` (session, held by the runner's dedicated connection): the one instance that applies a
 *   projection's live batches. It dies with that connection, so another instance can take over.
 * - `batch` (taken for the length of each live batch transaction; held at session level by a rebuild or a
 *   verify to pause the live applier, wherever it runs, at a fixed checkpoint).
 * - `rebuild` (session, held by the connection running a rebuild): one rebuild at a time; pg_locks tells
 *   every instance that it is running.
 * - `reaction` and `timers` (session, src/reactions/): the one instance that runs a reaction, and the one
 *   that fires due timers.
 */
export type LockKind = 'applier' | 'batch' | 'rebuild' | 'reaction' | 'timers';

const KIND_KEYS: Record<LockKind, number> = { applier: 0x50524a01, batch: 0x50524a02, rebuild: 0x50524a03, reaction: 0x50524a04, timers: 0x50524a05 };

export interface AdvisoryLockKey {
  /** The two int4 arguments of pg_advisory_lock(int4, int4). */
  readonly args: [number, number];
  /** How pg_locks shows the key: classid and objid are oids (unsigned), objsubid is 2. */
  readonly classId: string;
  readonly objId: string;
}

export function lockKey(kind: LockKind, projectionName: string): AdvisoryLockKey {
  const digest = createHash('sha256').update(projectionName).digest();
  const kindKey = KIND_KEYS[kind];
  return { args: [kindKey, digest.readInt32BE(0)], classId: String(kindKey), objId: String(digest.readUInt32BE(0)) };
}
