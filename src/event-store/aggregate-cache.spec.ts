import { describe, expect, it } from 'vitest';
import { AggregateCache, MAX_WEIGHT } from './aggregate-cache.js';
import { weightOf } from './cache-weight.js';
import type { Projector } from './decider.js';

interface Basket {
  readonly lines: readonly { productId: string; quantity: number }[];
  readonly owner: string;
}

const baskets: Projector<Basket, { type: 'Added'; data: null }> = {
  initialState: { lines: [], owner: '' },
  evolve: (state) => state,
};

const basket = (lines: number): Basket => ({ owner: 'o', lines: Array.from({ length: lines }, (_, i) => ({ productId: `p${i}`, quantity: 1 })) });
const entry = (state: Basket) => ({ state, version: 1, position: '1' });

describe('AggregateCache', () => {
  it('weighs a state as 1 plus the elements of its arrays', () => {
    expect(weightOf(basket(0))).toBe(1);
    expect(weightOf(basket(40))).toBe(41);
    expect(weightOf({ a: [1, 2], b: [3], c: 'x' })).toBe(4);
    expect(weightOf('not an object')).toBe(1);
    expect(weightOf(null)).toBe(1);
  });

  it('bounds what a fold holds by weight, not only by count: big states push out the least recently used', () => {
    const cache = new AggregateCache();
    const count = Math.ceil((2 * MAX_WEIGHT) / 101); // twice the budget, in 100-line states
    for (let i = 0; i < count; i++) cache.set(baskets, `b${i}`, entry(basket(100)));
    const kept = Array.from({ length: count }, (_, i) => cache.get(baskets, `b${i}`) !== undefined);
    const keptCount = kept.filter(Boolean).length;
    expect(keptCount).toBe(Math.floor(MAX_WEIGHT / 101));
    // The newest are the ones kept.
    expect(kept.slice(count - keptCount).every(Boolean)).toBe(true);
    expect(cache.get(baskets, 'b0')).toBeUndefined();
  });

  it('holds many small states', () => {
    const cache = new AggregateCache();
    for (let i = 0; i < 10_000; i++) cache.set(baskets, `b${i}`, entry(basket(1)));
    expect(cache.get(baskets, 'b0')?.state.lines).toHaveLength(1);
  });
});
