import type pg from 'pg';
import type { LogCheckpoint } from '../event-store/event.js';
import { compareCheckpoints } from './checkpoint-store.js';

/** The channel on which whoever applies projections announces the checkpoints its batches committed. */
export const ADVANCES_CHANNEL = 'projections_advanced';
/** Batches committed within this window share one NOTIFY. */
const COALESCE_MS = 5;

/**
 * Checkpoints committed by an applier elsewhere (this service's worker thread, a `npm run projector`
 * process, another instance), as they were announced: what lets `X-Min-Position` and
 * `X-Projection-Position` answer without polling the checkpoint table. Only the highest is kept, so a
 * late or repeated announcement changes nothing; every value is a committed checkpoint, hence a lower bound.
 */
export class KnownCheckpoints {
  private readonly known = new Map<string, LogCheckpoint>();

  get(name: string): LogCheckpoint | undefined {
    return this.known.get(name);
  }

  /** Whether it moved the projection's known checkpoint on. */
  record(name: string, checkpoint: LogCheckpoint): boolean {
    const current = this.known.get(name);
    if (current && compareCheckpoints(current, checkpoint) >= 0) return false;
    this.known.set(name, checkpoint);
    return true;
  }

  /** Records an ADVANCES_CHANNEL payload; whether any checkpoint moved. A malformed one is ignored. */
  recordPayload(payload: string | undefined): boolean {
    let moved = false;
    for (const [name, checkpoint] of parseAdvances(payload)) moved = this.record(name, checkpoint) || moved;
    return moved;
  }
}

/**
 * Announces this process's committed batches on ADVANCES_CHANNEL: one NOTIFY per 5 ms at most, in a
 * statement of its own (never in the batch's transaction: PostgreSQL serialises the commits of notifying
 * transactions). The payload maps each projection that moved to its `[transactionId, position]`.
 */
export class AdvanceBroadcast {
  private readonly pending = new Map<string, LogCheckpoint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool) {}

  advanced(name: string, checkpoint: LogCheckpoint): void {
    this.pending.set(name, checkpoint);
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const payload = JSON.stringify(Object.fromEntries([...this.pending].map(([name, c]) => [name, [c.transactionId, c.position]])));
    this.pending.clear();
    // A lost announcement costs the waiting reads their fallback look at the checkpoint table.
    this.pool.query('SELECT pg_notify($1, $2)', [ADVANCES_CHANNEL, payload]).catch(() => undefined);
  }
}

function parseAdvances(payload: string | undefined): [string, LogCheckpoint][] {
  try {
    const parsed = JSON.parse(payload ?? '') as unknown;
    if (typeof parsed !== 'object' || parsed === null) return [];
    return Object.entries(parsed).flatMap(([name, value]): [string, LogCheckpoint][] =>
      Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && /^\d+$/.test(v))
        ? [[name, { transactionId: value[0] as string, position: value[1] as string }]]
        : [],
    );
  } catch {
    return [];
  }
}
