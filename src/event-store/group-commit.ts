/** Something to write in a group: the keys it touches (stream ids) and its size (events). */
export interface GroupItem {
  readonly keys: readonly string[];
  readonly size: number;
}

/** Each item's own outcome, in the batch's order: its result, or the error that refused it alone. */
export type GroupWrite<T, R> = (batch: readonly T[]) => Promise<(R | Error)[]>;

interface Waiting<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while earlier writes are in flight wait and then go out together, as
 * one write (for the event store: one statement, one transaction, one WAL flush for many commands).
 * A lone item is written at once, so an idle service adds no latency; under load the batches grow by
 * themselves, and the per-statement cost of a command shrinks with them.
 *
 * Two items that touch the same key are never in one batch, nor in two batches in flight at once:
 * each would check the same stream head and one would fail the whole statement at the unique index.
 * Items touching a busy key keep their arrival order behind it.
 */
export class GroupCommit<T extends GroupItem, R> {
  private waiting: Waiting<T, R>[] = [];
  private readonly busyKeys = new Set<string>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly write: GroupWrite<T, R>,
    private readonly limits: { readonly maxInFlight: number; readonly maxBatchSize: number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Flushes on setImmediate rather than at once, so the requests that arrived in the same turn of the
   * event loop share a batch.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.limits.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch = this.take();
    if (batch.length === 0) return;
    const keys = batch.flatMap((w) => w.item.keys);
    for (const key of keys) this.busyKeys.add(key);
    this.inFlight++;
    this.write(batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => (results[i] instanceof Error ? w.reject(results[i]) : w.resolve(results[i] as R))),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        for (const key of keys) this.busyKeys.delete(key);
        this.inFlight--;
        this.schedule();
      });
    this.schedule();
  }

  /** The oldest waiting items, up to maxBatchSize, skipping any that touch a key already taken or busy. */
  private take(): Waiting<T, R>[] {
    const taken = new Set<string>();
    const batch: Waiting<T, R>[] = [];
    const rest: Waiting<T, R>[] = [];
    let size = 0;
    for (const waiting of this.waiting) {
      const { keys, size: itemSize } = waiting.item;
      const free = keys.every((key) => !taken.has(key) && !this.busyKeys.has(key));
      const fits = batch.length === 0 || size + itemSize <= this.limits.maxBatchSize;
      // A skipped item's keys are taken too, so that no later item touching them overtakes it.
      for (const key of keys) taken.add(key);
      if (free && fits) {
        batch.push(waiting);
        size += itemSize;
      } else {
        rest.push(waiting);
      }
    }
    this.waiting = rest;
    return batch;
  }
}
