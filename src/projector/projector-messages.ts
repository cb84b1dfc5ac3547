import type { LogCheckpoint } from '../event-store/event.js';
import type { EventStore } from '../event-store/event-store.js';

/** What the main thread tells the worker thread. */
export type ToProjector =
  /** The main thread appended events: wake the appliers, reactions and webhook delivery (the NOTIFY is not for us). */
  | { readonly type: 'appended' }
  | { readonly type: 'rebuild'; readonly id: number; readonly name: string }
  /** Finish the batches in flight, release the locks, close the connections, end the thread. */
  | { readonly type: 'stop' };

/** What the worker thread tells the main thread. */
export type FromProjector =
  | { readonly type: 'ready' }
  /** The thread appended events (a reaction's command): wake the main thread's live streams. */
  | { readonly type: 'appended' }
  /** A batch committed: the main thread's reads waiting for a position learn it without a query. */
  | { readonly type: 'advanced'; readonly name: string; readonly checkpoint: LogCheckpoint }
  | { readonly type: 'rebuild-started'; readonly id: number }
  | { readonly type: 'rebuild-refused'; readonly id: number; readonly code?: string; readonly message: string };

/**
 * Tells the other thread of this thread's appends: one message per turn of the event loop at most,
 * however many group commits it saw. (Appends the other thread told us of are not told back.)
 */
export function tellAppends(store: Pick<EventStore, 'onAppended'>, tell: () => void): () => void {
  let pending = false;
  return store.onAppended((origin) => {
    if (origin !== 'this-thread' || pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      tell();
    });
  });
}
