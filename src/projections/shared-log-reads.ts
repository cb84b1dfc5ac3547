import type { LogCheckpoint } from '../event-store/event.js';
import type { EventStore, LogBatch } from '../event-store/event-store.js';

/**
 * Concurrent reads of the log from the same checkpoint share one query. Projections that are caught up
 * sit at the same checkpoint and are woken by the same append, so without this each would read (and
 * parse) the same events: four projections, four queries. Sharing is safe because the log after a
 * checkpoint only grows: a caller that joins a read already running gets what it would have got had it
 * asked a moment earlier, and asks again for anything newer.
 *
 * The events are shared between projections too, so handlers must treat them as read-only (they do:
 * StoredEvent's fields are readonly).
 */
export class SharedLogReads implements Pick<EventStore, 'readLogBatch'> {
  private readonly inFlight = new Map<string, Promise<LogBatch>>();

  constructor(private readonly store: Pick<EventStore, 'readLogBatch'>) {}

  readLogBatch(from: LogCheckpoint, limit: number): Promise<LogBatch> {
    const key = `${from.transactionId}/${from.position}/${limit}`;
    let read = this.inFlight.get(key);
    if (!read) {
      read = this.store.readLogBatch(from, limit).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, read);
    }
    return read;
  }
}
