import type { LogCheckpoint } from '../event-store/event.js';
import type { EventStore } from '../event-store/event-store.js';
import { compareCheckpoints, type CheckpointStore } from './checkpoint-store.js';

/** How often a read waiting for a position re-reads the checkpoints (another instance may be the applier). */
const CHECKPOINT_POLL_MS = 100;

export interface ReadYourWritesDeps {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /**
   * A projection's checkpoint as this instance knows it without a query: its own where it is the applier,
   * undefined otherwise. Throws NotFoundError for an unknown name.
   */
  readonly localCheckpoint: (name: string) => LogCheckpoint | undefined;
}

/**
 * What a read of some read models reflects, and waiting until they reflect a position: the runner's
 * answers to `X-Projection-Position` and `X-Min-Position`. Checkpoints only move on, so every
 * checkpoint read here is a lower bound.
 */
export class ReadYourWrites {
  private readonly advanceListeners = new Set<() => void>();

  constructor(private readonly deps: ReadYourWritesDeps) {}

  /** Called on each batch this instance commits: wakes the reads waiting for a position. */
  advanced(): void {
    for (const listener of [...this.advanceListeners]) listener();
  }

  /**
   * Resolves true once every named projection has applied the event at global `position` ('0': at once),
   * or passed it if no event will ever hold it (see PositionLookup), false if they have not within
   * `timeoutMs`. Waits on this instance's batches and re-reads the checkpoint table, since the applier
   * may be another instance.
   */
  async waitForPosition(names: readonly string[], position: string, timeoutMs: number): Promise<boolean> {
    for (const name of names) this.deps.localCheckpoint(name);
    if (BigInt(position) === 0n) return true;
    const deadline = Date.now() + timeoutMs;
    const lookup = this.deps.store.lookupPosition(position);
    let target: LogCheckpoint | null = null;
    for (;;) {
      // An event that is not there yet (still being written) may be by the next look.
      target ??= await lookup.target();
      if (target && (await this.haveApplied(names, target))) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.nextAdvance(Math.min(remaining, CHECKPOINT_POLL_MS));
    }
  }

  /**
   * The lowest checkpoint position among the named projections: what a read of them reflects at least.
   * Each checkpoint is the later of ours and the table's: right after a batch commits, the table is
   * ahead of ours (and a read that waited for a position may have seen it there).
   */
  async positionOf(names: readonly string[]): Promise<string> {
    const local = this.localCheckpoints(names);
    const table = await this.tableCheckpoints(names);
    return lowestPosition(names.map((_, i) => laterCheckpoint(local[i], table[i])));
  }

  /**
   * positionOf() without a query, when this instance applies all the named projections (the common case,
   * and the hot path of every read-model GET); undefined otherwise.
   */
  localPositionOf(names: readonly string[]): string | undefined {
    const local = this.localCheckpoints(names);
    return local.every((checkpoint) => checkpoint !== undefined) ? lowestPosition(local) : undefined;
  }

  private async haveApplied(names: readonly string[], target: LogCheckpoint): Promise<boolean> {
    const applied = (checkpoints: readonly (LogCheckpoint | undefined)[]) =>
      checkpoints.every((checkpoint) => checkpoint !== undefined && compareCheckpoints(target, checkpoint) <= 0);
    return applied(this.localCheckpoints(names)) || applied(await this.tableCheckpoints(names));
  }

  private localCheckpoints(names: readonly string[]): (LogCheckpoint | undefined)[] {
    return names.map((name) => this.deps.localCheckpoint(name));
  }

  private async tableCheckpoints(names: readonly string[]): Promise<(LogCheckpoint | undefined)[]> {
    const rows = await this.deps.checkpoints.readMany(names);
    return names.map((name) => rows.get(name)?.checkpoint);
  }

  /** Resolves on this instance's next committed batch, or after `ms`. */
  private nextAdvance(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        clearTimeout(timer);
        this.advanceListeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(listener, ms);
      this.advanceListeners.add(listener);
    });
  }
}

function laterCheckpoint(a: LogCheckpoint | undefined, b: LogCheckpoint | undefined): LogCheckpoint | undefined {
  if (!a || !b) return a ?? b;
  return compareCheckpoints(a, b) >= 0 ? a : b;
}

/** The lowest of some checkpoints' positions (a projection with no checkpoint row yet counts as 0). */
function lowestPosition(checkpoints: readonly (LogCheckpoint | undefined)[]): string {
  let lowest: bigint | undefined;
  for (const checkpoint of checkpoints) {
    const position = BigInt(checkpoint?.position ?? '0');
    if (lowest === undefined || position < lowest) lowest = position;
  }
  return String(lowest ?? 0n);
}
