/**
 * The time timers go by. Injected (token CLOCK) so that tests drive it instead of sleeping: a test app
 * started with a ManualClock fires a timer due in an hour as soon as the test moves the clock past it.
 */
export interface Clock {
  now(): Date;
  /**
   * Calls `listener` whenever the time jumps (a manual clock moved); the firer then looks again at what
   * is due. Returns the unsubscribe function. The system clock never jumps on purpose.
   */
  onJump(listener: () => void): () => void;
}

export const CLOCK = Symbol('eventshop:clock');

export const systemClock: Clock = {
  now: () => new Date(),
  onJump: () => () => undefined,
};

/** A clock that stands still until told to move: for tests. */
export class ManualClock implements Clock {
  private current: number;
  private readonly listeners = new Set<() => void>();

  constructor(start: Date = new Date()) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  onJump(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }

  set(time: Date): void {
    this.current = time.getTime();
    for (const listener of this.listeners) listener();
  }
}
