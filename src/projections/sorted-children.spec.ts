import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { int4, table, uuid } from './read-model-columns.js';
import { sortedChildren } from './read-model.js';

const lines = table('lines', ['productId'], { productId: uuid(), quantity: int4() });
type Line = { productId: string; quantity: number };
const line = (quantity = 1): Line => ({ productId: randomUUID(), quantity });
const byKey = (rows: readonly Line[]) => [...rows].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));

describe('sortedChildren', () => {
  it('gives a list already in key order back as it is', () => {
    const rows = byKey([line(), line(), line()]);
    expect(sortedChildren(lines, rows)).toBe(rows);
  });

  it('puts a line an evolve appended or changed in its place, short lists and long ones alike', () => {
    for (const size of [2, 5, 64, 65, 300]) {
      const settled = byKey(Array.from({ length: size - 1 }, () => line()));
      const appended = [...settled, line()];
      expect(sortedChildren(lines, appended)).toEqual(byKey(appended));
      const shuffled = [...appended].sort(() => Math.random() - 0.5);
      expect(sortedChildren(lines, shuffled)).toEqual(byKey(appended));
      expect(sortedChildren(lines, [...byKey(appended)].reverse())).toEqual(byKey(appended));
    }
  });

  it('refuses two children with the same key, wherever they are', () => {
    for (const size of [3, 100]) {
      const rows = byKey(Array.from({ length: size }, () => line()));
      const twin = { ...rows[1], quantity: 9 };
      expect(() => sortedChildren(lines, [...rows, twin])).toThrow(/two rows with the key/);
      expect(() => sortedChildren(lines, [twin, ...rows])).toThrow(/two rows with the key/);
      expect(() => sortedChildren(lines, [rows[1], twin])).toThrow(/two rows with the key/);
    }
  });
});
