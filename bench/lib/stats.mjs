/** Order statistics over plain arrays of numbers. Small inputs (a few hundred thousand values at most). */

export function sorted(values) {
  return Float64Array.from(values).sort();
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
export function percentileOfSorted(ascending, p) {
  if (ascending.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(ascending.length - 1, Math.max(0, rank - 1))];
}

export function percentiles(values, ps = [50, 90, 99]) {
  const ascending = sorted(values);
  return Object.fromEntries(ps.map((p) => [`p${p}`, percentileOfSorted(ascending, p)]));
}

export function median(values) {
  const ascending = sorted(values);
  if (ascending.length === 0) return NaN;
  const mid = ascending.length >> 1;
  return ascending.length % 2 ? ascending[mid] : (ascending[mid - 1] + ascending[mid]) / 2;
}

/** Median with the spread (min and max) of the repeated runs of one figure. */
export function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), runs: values };
}
