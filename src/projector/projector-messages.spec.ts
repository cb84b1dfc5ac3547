import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { AppendOrigin } from '../event-store/event-store.js';
import { tellAppends } from './projector-messages.js';

function fakeStore() {
  const listeners = new Set<(origin: AppendOrigin) => void>();
  return {
    onAppended: (listener: (origin: AppendOrigin) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    appended: (origin: AppendOrigin) => listeners.forEach((listener) => listener(origin)),
  };
}

describe('tellAppends', () => {
  it("tells the other thread of this thread's appends once per turn of the event loop", async () => {
    const store = fakeStore();
    let told = 0;
    tellAppends(store, () => told++);
    store.appended('this-thread');
    store.appended('this-thread');
    expect(told).toBe(0);
    await nextTurn();
    expect(told).toBe(1);
    store.appended('this-thread');
    await nextTurn();
    expect(told).toBe(2);
  });

  it('does not tell back what the other thread told (no ping-pong), and stops when unsubscribed', async () => {
    const store = fakeStore();
    let told = 0;
    const stop = tellAppends(store, () => told++);
    store.appended('other-thread');
    await nextTurn();
    expect(told).toBe(0);
    stop();
    store.appended('this-thread');
    await nextTurn();
    expect(told).toBe(0);
  });
});
