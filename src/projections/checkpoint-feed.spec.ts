import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdvanceBroadcast, ADVANCES_CHANNEL, KnownCheckpoints } from './checkpoint-feed.js';

const at = (transactionId: string, position: string) => ({ transactionId, position });

function fakePool() {
  const notified: unknown[][] = [];
  const pool = { query: (_sql: string, values: unknown[]) => (notified.push(values), Promise.resolve()) } as unknown as pg.Pool;
  return { pool, notified };
}

describe('the checkpoint feed', () => {
  afterEach(() => vi.useRealTimers());

  it('announces the batches of 5 ms in one NOTIFY, the latest checkpoint of each projection, which a listener records', () => {
    vi.useFakeTimers();
    const { pool, notified } = fakePool();
    const broadcast = new AdvanceBroadcast(pool);
    broadcast.advanced('carts', at('10', '5'));
    broadcast.advanced('catalog', at('10', '4'));
    broadcast.advanced('carts', at('11', '9'));
    expect(notified).toEqual([]);
    vi.advanceTimersByTime(5);
    expect(notified).toHaveLength(1);
    expect(notified[0][0]).toBe(ADVANCES_CHANNEL);

    const known = new KnownCheckpoints();
    expect(known.recordPayload(notified[0][1] as string)).toBe(true);
    expect(known.get('carts')).toEqual(at('11', '9'));
    expect(known.get('catalog')).toEqual(at('10', '4'));
    expect(known.get('orders')).toBeUndefined();
  });

  it('keeps the highest checkpoint: a late or repeated announcement moves nothing', () => {
    const known = new KnownCheckpoints();
    expect(known.record('carts', at('11', '9'))).toBe(true);
    expect(known.record('carts', at('11', '9'))).toBe(false);
    expect(known.record('carts', at('10', '12'))).toBe(false);
    expect(known.get('carts')).toEqual(at('11', '9'));
    expect(known.record('carts', at('12', '10'))).toBe(true);
  });

  it('ignores a payload it cannot read, and the entries that are not checkpoints', () => {
    const known = new KnownCheckpoints();
    expect(known.recordPayload('not json')).toBe(false);
    expect(known.recordPayload(undefined)).toBe(false);
    expect(known.recordPayload(JSON.stringify({ carts: ['1', 'x'], catalog: [1, 2], orders: ['3', '4', '5'], reviews: ['7', '8'] }))).toBe(true);
    expect(known.get('carts')).toBeUndefined();
    expect(known.get('catalog')).toBeUndefined();
    expect(known.get('orders')).toBeUndefined();
    expect(known.get('reviews')).toEqual(at('7', '8'));
  });
});
