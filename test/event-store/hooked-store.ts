import type { AppendOptions } from '../../src/event-store/event-store.js';
import { EventStore } from '../../src/event-store/event-store.js';
import type { AppendResult, EventMetadata, StreamAppend } from '../../src/event-store/event.js';

/**
 * The real event store, with a hook that runs before its first append and only then lets the append
 * go: a command's decision has been made on what it read, and the hook changes the world before the
 * append checks it. That places a concurrent writer exactly between read and append, without timing.
 */
export class HookedStore extends EventStore {
  beforeFirstAppend?: () => Promise<unknown>;

  override async append(streams: readonly StreamAppend[], metadata: EventMetadata, options?: AppendOptions): Promise<AppendResult> {
    const hook = this.beforeFirstAppend;
    this.beforeFirstAppend = undefined;
    await hook?.();
    return super.append(streams, metadata, options);
  }
}
