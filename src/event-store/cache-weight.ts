/**
 * What a cached value (an aggregate's state, a read model's row) weighs, for caches that must bound their
 * memory and not only their count: 1, plus 1 for each element of its array fields (a cart's lines, a
 * row's children). Each of those is about 100 bytes of heap in our states and rows: a line, its product
 * id string and its slot. Cheap enough to run on every write; it does not look deeper than one level.
 */
export function weightOf(value: unknown): number {
  let weight = 1;
  if (typeof value === 'object' && value !== null) for (const field of Object.values(value)) if (Array.isArray(field)) weight += field.length;
  return weight;
}
