import type { LogCheckpoint } from '../event-store/event.js';

/** What the main thread tells the worker thread. */
export type ToProjector =
  /** The main thread appended events: wake the appliers and reactions now rather than at the NOTIFY. */
  | { readonly type: 'appended' }
  | { readonly type: 'rebuild'; readonly id: number; readonly name: string }
  /** Finish the batches in flight, release the locks, close the connections, end the thread. */
  | { readonly type: 'stop' };

/** What the worker thread tells the main thread. */
export type FromProjector =
  | { readonly type: 'ready' }
  /** A batch committed: the main thread's reads waiting for a position learn it without a query. */
  | { readonly type: 'advanced'; readonly name: string; readonly checkpoint: LogCheckpoint }
  | { readonly type: 'rebuild-started'; readonly id: number }
  | { readonly type: 'rebuild-refused'; readonly id: number; readonly code?: string; readonly message: string };
