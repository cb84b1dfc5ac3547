import type { ListenSession } from '../projections/listen-session.js';
import type { AdvisoryLockKey } from '../projections/projection-locks.js';
import { WakeSignal } from '../projections/wake-signal.js';

const LOCK_RETRY_MS = 1_000;

/**
 * A loop that does its work only while this instance holds an advisory lock on the listening session's
 * connection: one runner across instances, and another takes over within LOCK_RETRY_MS once that
 * connection goes (the lock goes with it; `active` turns false when the session reconnects).
 */
export abstract class LockedLoop {
  protected readonly signal = new WakeSignal();
  private loop: Promise<void> | undefined;
  private lockGeneration: number | undefined;

  constructor(
    private readonly session: ListenSession,
    private readonly key: AdvisoryLockKey,
  ) {}

  /** Whether this instance runs the loop right now. */
  get active(): boolean {
    return this.lockGeneration !== undefined && this.lockGeneration === this.session.generation;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Something changed: look again now. */
  wake(): void {
    this.signal.wake();
  }

  /** Lets the turn in flight finish, then stops and gives up the lock. */
  async stop(): Promise<void> {
    this.signal.close();
    await this.loop;
    if (this.lockGeneration !== undefined) await this.session.unlock(this.key, this.lockGeneration);
    this.lockGeneration = undefined;
  }

  /** The lock was just taken (log it, drop state another instance may have changed meanwhile). */
  protected abstract acquired(): void;

  /** One turn of work while holding the lock, including the wait before the next. */
  protected abstract turn(): Promise<void>;

  private async run(): Promise<void> {
    while (!this.signal.closed) {
      if (!this.active && !(await this.acquire())) {
        await this.signal.wait(LOCK_RETRY_MS, false);
        continue;
      }
      await this.turn();
    }
  }

  private async acquire(): Promise<boolean> {
    const generation = await this.session.tryLock(this.key);
    if (generation === undefined) return false;
    this.lockGeneration = generation;
    this.acquired();
    return true;
  }
}
