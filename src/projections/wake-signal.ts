interface Waiter {
  readonly wakeable: boolean;
  readonly finish: () => void;
}

/**
 * Sleeps that a wake-up can cut short, and that close() ends for good. A wake() while nobody is waiting
 * is remembered, so a notification that arrives while a batch is being applied is not lost. Hand-written:
 * it is a few lines, and the timers must be cleared on close so that shutdown leaves nothing behind.
 */
export class WakeSignal {
  private readonly waiters = new Set<Waiter>();
  private pending = false;
  private closedFlag = false;

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Resolves after `ms`, on close(), or (if `wakeable`) on wake(). */
  wait(ms: number, wakeable = true): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    if (wakeable && this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wakeable,
        finish: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.finish, ms);
      this.waiters.add(waiter);
    });
  }

  wake(): void {
    let woke = false;
    for (const waiter of [...this.waiters]) {
      if (!waiter.wakeable) continue;
      waiter.finish();
      woke = true;
    }
    if (!woke) this.pending = true;
  }

  close(): void {
    this.closedFlag = true;
    for (const waiter of [...this.waiters]) waiter.finish();
  }
}
