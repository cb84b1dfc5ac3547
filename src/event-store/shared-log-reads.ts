import type { LogBatch } from './event-store.js';
import type { LogCheckpoint } from './event.js';

/** A shared read asks for at least this many events, so readers with smaller batches can share it. */
export const SHARED_READ_LIMIT = 500;

/**
 * Concurrent reads of the log from the same checkpoint share one query: every reader of a thread (the
 * projections, reactions, webhook delivery, live streams) goes through the event store's one instance.
 * Readers that are caught up sit at the same checkpoint and are woken by the same append, so without
 * this each would read (and parse) the same events: six readers, six queries. Sharing is safe because
 * the log after a checkpoint only grows: a caller that joins a read already running gets what it would
 * have got had it asked a moment earlier, and asks again for anything newer.
 *
 * A read asks for max(limit, SHARED_READ_LIMIT) events; a caller with a smaller limit gets the first
 * `limit` of them, as a full batch (so it reads on at once, as after any full batch).
 *
 * The events are shared between readers too, so they must treat them as read-only (they do:
 * StoredEvent's fields are readonly).
 */
export class SharedLogReads {
  private readonly inFlight = new Map<string, { readonly limit: number; readonly read: Promise<LogBatch> }>();

  constructor(private readonly read: (from: LogCheckpoint, limit: number) => Promise<LogBatch>) {}

  readLogBatch(from: LogCheckpoint, limit: number): Promise<LogBatch> {
    const key = `${from.transactionId}/${from.position}`;
    let shared = this.inFlight.get(key);
    if (!shared || shared.limit < limit) {
      const sharedLimit = Math.max(limit, SHARED_READ_LIMIT);
      const read = this.read(from, sharedLimit).finally(() => {
        if (this.inFlight.get(key)?.read === read) this.inFlight.delete(key);
      });
      shared = { limit: sharedLimit, read };
      this.inFlight.set(key, shared);
    }
    return shared.read.then((batch) => (batch.events.length > limit ? { events: batch.events.slice(0, limit), heldBack: false } : batch));
  }
}
