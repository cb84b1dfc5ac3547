import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

interface Item {
  readonly name: string;
  readonly keys: readonly string[];
  readonly size: number;
}

const item = (name: string, keys: string[], size = 1): Item => ({ name, keys, size });

/** A writer whose writes finish only when the test says so, recording each batch it was given. */
function controlledWriter() {
  const batches: string[][] = [];
  const finishers: (() => void)[] = [];
  const write = (batch: readonly Item[]) => {
    batches.push(batch.map((i) => i.name));
    return new Promise<(string | Error)[]>((resolve) => {
      finishers.push(() => resolve(batch.map((i) => (i.name.startsWith('bad') ? new Error(i.name) : `ok:${i.name}`))));
    });
  };
  /** Finishes the oldest unfinished write and lets the follow-up flush run. */
  const finishNext = async () => {
    finishers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, finishNext };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes items submitted in the same turn as one batch, each with its own outcome', async () => {
    const w = controlledWriter();
    const group = new GroupCommit<Item, string>(w.write, { maxInFlight: 1, maxBatchSize: 100 });
    const outcomes = Promise.allSettled([group.submit(item('a', ['1'])), group.submit(item('bad-b', ['2'])), group.submit(item('c', ['3']))]);
    await tick();
    expect(w.batches).toEqual([['a', 'bad-b', 'c']]);
    await w.finishNext();
    const settled = await outcomes;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['ok:a', 'bad-b', 'ok:c']);
  });

  it('gathers what arrives while a write is in flight into the next batch', async () => {
    const w = controlledWriter();
    const group = new GroupCommit<Item, string>(w.write, { maxInFlight: 1, maxBatchSize: 100 });
    const first = group.submit(item('a', ['1']));
    await tick();
    const later = [group.submit(item('b', ['2'])), group.submit(item('c', ['3']))];
    await tick();
    expect(w.batches).toEqual([['a']]);
    await w.finishNext();
    expect(w.batches).toEqual([['a'], ['b', 'c']]);
    await w.finishNext();
    expect(await Promise.all([first, ...later])).toEqual(['ok:a', 'ok:b', 'ok:c']);
  });

  it('never puts two items on one key in a batch, or in two batches in flight, and keeps their order', async () => {
    const w = controlledWriter();
    const group = new GroupCommit<Item, string>(w.write, { maxInFlight: 4, maxBatchSize: 100 });
    const all = [
      group.submit(item('x1', ['x'])),
      group.submit(item('y1', ['y'])),
      group.submit(item('xz', ['x', 'z'])),
      group.submit(item('z1', ['z'])),
      group.submit(item('w1', ['w'])),
    ];
    await tick();
    await tick();
    // xz waits for x; z1 must not overtake xz on z; w1 is free.
    expect(w.batches).toEqual([['x1', 'y1', 'w1']]);
    await w.finishNext();
    expect(w.batches).toEqual([['x1', 'y1', 'w1'], ['xz']]);
    await w.finishNext();
    expect(w.batches.at(-1)).toEqual(['z1']);
    await w.finishNext();
    expect(await Promise.all(all)).toEqual(['ok:x1', 'ok:y1', 'ok:xz', 'ok:z1', 'ok:w1']);
  });

  it('caps a batch at maxBatchSize, but always takes at least one item', async () => {
    const w = controlledWriter();
    const group = new GroupCommit<Item, string>(w.write, { maxInFlight: 1, maxBatchSize: 5 });
    const all = [group.submit(item('big', ['1'], 9)), group.submit(item('a', ['2'], 3)), group.submit(item('b', ['3'], 2)), group.submit(item('c', ['4'], 1))];
    await tick();
    expect(w.batches).toEqual([['big']]);
    await w.finishNext();
    expect(w.batches.at(-1)).toEqual(['a', 'b']);
    await w.finishNext();
    expect(w.batches.at(-1)).toEqual(['c']);
    await w.finishNext();
    expect(await Promise.all(all)).toEqual(['ok:big', 'ok:a', 'ok:b', 'ok:c']);
  });

  it('rejects every item of a batch whose write failed as a whole, and carries on', async () => {
    let calls = 0;
    const group = new GroupCommit<Item, string>(
      async (batch) => {
        if (calls++ === 0) throw new Error('connection lost');
        return batch.map((i) => i.name);
      },
      { maxInFlight: 1, maxBatchSize: 100 },
    );
    const failed = await Promise.allSettled([group.submit(item('a', ['1'])), group.submit(item('b', ['2']))]);
    expect(failed.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await group.submit(item('c', ['1']))).toBe('c');
  });
});
