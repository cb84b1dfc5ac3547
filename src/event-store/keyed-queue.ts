/**
 * Runs tasks one at a time per key, in arrival order. Commands to one aggregate in this process queue
 * here instead of racing each other into optimistic-concurrency retries; across instances the retries
 * in CommandRunner still apply. Hand-written because it is a dozen lines and the keyed libraries we
 * looked at keep every key alive forever.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
