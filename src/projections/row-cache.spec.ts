import { describe, expect, it } from 'vitest';
import type { LogCheckpoint } from '../event-store/event.js';
import { RowCache } from './row-cache.js';

const at = (position: number): LogCheckpoint => ({ transactionId: '10', position: String(position) });

describe('RowCache', () => {
  it('gives a batch the rows committed by the batch before it, and its own writes before its commit', () => {
    const cache = new RowCache();
    const first = cache.batch(at(0));
    first.set('a', { n: 1 });
    first.set('gone', null);
    expect(first.get('a')).toEqual({ n: 1 });
    cache.committed(first, at(5));

    const second = cache.batch(at(5));
    expect(second.has('a')).toBe(true);
    expect(second.get('a')).toEqual({ n: 1 });
    expect(second.has('gone')).toBe(true);
    expect(second.get('gone')).toBeNull();
    expect(second.has('b')).toBe(false);
  });

  it('keeps nothing of a batch that did not commit', () => {
    const cache = new RowCache();
    cache.committed(cache.batch(at(0)), at(5));
    const lost = cache.batch(at(5));
    lost.set('a', { n: 2 });
    expect(cache.batch(at(5)).has('a')).toBe(false);
  });

  it('is empty for a batch from anywhere but where its last commit left it', () => {
    const cache = new RowCache();
    const first = cache.batch(at(0));
    first.set('a', { n: 1 });
    cache.committed(first, at(5));
    // Another applier moved the projection to 7 meanwhile: what this one wrote may be stale.
    expect(cache.batch(at(7)).has('a')).toBe(false);
    expect(cache.batch(at(5)).has('a')).toBe(false);
  });

  it('follows a checkpoint moved past events the projection does not handle, from where it stands only', () => {
    const cache = new RowCache();
    const first = cache.batch(at(0));
    first.set('a', 1);
    cache.committed(first, at(5));
    cache.skipped(at(5), at(6));
    expect(cache.batch(at(6)).has('a')).toBe(true);
    cache.skipped(at(3), at(9));
    expect(cache.batch(at(9)).has('a')).toBe(false);
  });

  it('drops the least recently written rows beyond its capacity', () => {
    const cache = new RowCache(2);
    const first = cache.batch(at(0));
    first.set('a', 1);
    first.set('b', 2);
    cache.committed(first, at(1));
    const second = cache.batch(at(1));
    second.set('a', 3);
    second.set('c', 4);
    cache.committed(second, at(2));
    const third = cache.batch(at(2));
    expect([third.has('a'), third.has('b'), third.has('c')]).toEqual([true, false, true]);
    expect(third.get('a')).toBe(3);
  });

  it('drops the least recently written rows beyond its weight, however few they are', () => {
    const cache = new RowCache(100, 25);
    const withLines = (n: number) => ({ lines: Array.from({ length: n }, (_, i) => ({ line: i })) });
    const first = cache.batch(at(0));
    first.set('a', withLines(10)); // weighs 11
    first.set('b', withLines(10));
    cache.committed(first, at(1));
    const second = cache.batch(at(1));
    expect([second.has('a'), second.has('b')]).toEqual([true, true]);
    second.set('a', withLines(12)); // a's old row no longer counts: 13 + 11
    cache.committed(second, at(2));
    const third = cache.batch(at(2));
    expect([third.has('a'), third.has('b')]).toEqual([true, true]);
    third.set('c', withLines(1));
    cache.committed(third, at(3));
    const fourth = cache.batch(at(3));
    expect([fourth.has('a'), fourth.has('b'), fourth.has('c')]).toEqual([true, false, true]);
  });

  it('knows, of a table that started empty, that a key it never wrote has no row, until it forgets anything', () => {
    const cache = RowCache.ofEmptyTable(at(0), 1, 100);
    const first = cache.batch(at(0));
    expect(first.has('never')).toBe(true);
    expect(first.get('never')).toBeNull();
    first.set('a', 1);
    first.set('b', 2);
    cache.committed(first, at(1));
    const second = cache.batch(at(1));
    // 'a' was dropped (capacity 1): its row exists, and must be loaded again.
    expect([second.has('a'), second.has('b'), second.has('never')]).toEqual([false, true, true]);
    // A batch from elsewhere: nothing is known any more.
    expect(cache.batch(at(7)).has('never')).toBe(false);
  });
});
