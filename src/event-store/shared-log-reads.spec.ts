import { describe, expect, it } from 'vitest';
import type { LogCheckpoint, StoredEvent } from './event.js';
import type { LogBatch } from './event-store.js';
import { SharedLogReads } from './shared-log-reads.js';

function fakeStore() {
  const calls: string[] = [];
  const pending: { resolve: (batch: LogBatch) => void; reject: (error: Error) => void }[] = [];
  return {
    calls,
    pending,
    readLogBatch(from: LogCheckpoint, limit: number): Promise<LogBatch> {
      calls.push(`${from.position}/${limit}`);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
}

const at = (position: string): LogCheckpoint => ({ transactionId: '7', position });
const batch: LogBatch = { events: [], heldBack: false };

describe('SharedLogReads', () => {
  it('lets concurrent reads from the same checkpoint share one query, and only while it runs', async () => {
    const store = fakeStore();
    const reads = new SharedLogReads((from, limit) => store.readLogBatch(from, limit));
    const a = reads.readLogBatch(at('10'), 500);
    const b = reads.readLogBatch(at('10'), 500);
    const other = reads.readLogBatch(at('11'), 500);
    expect(store.calls).toEqual(['10/500', '11/500']);
    store.pending[0].resolve(batch);
    store.pending[1].resolve(batch);
    expect(await a).toBe(batch);
    expect(await b).toBe(batch);
    await other;
    // Settled: the next read from the same checkpoint asks the database again (the log may have grown).
    void reads.readLogBatch(at('10'), 500);
    expect(store.calls).toEqual(['10/500', '11/500', '10/500']);
  });

  it('fails every caller of a failed read, and forgets it', async () => {
    const store = fakeStore();
    const reads = new SharedLogReads((from, limit) => store.readLogBatch(from, limit));
    const a = reads.readLogBatch(at('10'), 500);
    const b = reads.readLogBatch(at('10'), 500);
    store.pending[0].reject(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await expect(b).rejects.toThrow('connection lost');
    void reads.readLogBatch(at('10'), 500);
    expect(store.calls).toEqual(['10/500', '10/500']);
  });

  it('serves a smaller batch from a larger read of the same checkpoint, as a full batch', async () => {
    const store = fakeStore();
    const reads = new SharedLogReads((from, limit) => store.readLogBatch(from, limit));
    const events = Array.from({ length: 120 }, (_, i) => ({ position: String(11 + i) }) as StoredEvent);
    const projections = reads.readLogBatch(at('10'), 500);
    const webhooks = reads.readLogBatch(at('10'), 100);
    const live = reads.readLogBatch(at('10'), 50);
    expect(store.calls).toEqual(['10/500']);
    store.pending[0].resolve({ events, heldBack: true });
    expect(await projections).toEqual({ events, heldBack: true });
    expect(await webhooks).toEqual({ events: events.slice(0, 100), heldBack: false });
    expect((await live).events).toHaveLength(50);
    // A small read asks for the shared minimum, and a larger one joining it asks again.
    const small = reads.readLogBatch(at('20'), 50);
    const large = reads.readLogBatch(at('20'), 2_000);
    expect(store.calls).toEqual(['10/500', '20/500', '20/2000']);
    store.pending[1].resolve(batch);
    store.pending[2].resolve(batch);
    await Promise.all([small, large]);
  });
});
