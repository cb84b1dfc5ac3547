import { describe, expect, it } from 'vitest';
import type { LogCheckpoint } from '../event-store/event.js';
import type { LogBatch } from '../event-store/event-store.js';
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
    const reads = new SharedLogReads(store);
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
    const reads = new SharedLogReads(store);
    const a = reads.readLogBatch(at('10'), 500);
    const b = reads.readLogBatch(at('10'), 500);
    store.pending[0].reject(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await expect(b).rejects.toThrow('connection lost');
    void reads.readLogBatch(at('10'), 500);
    expect(store.calls).toEqual(['10/500', '10/500']);
  });
});
