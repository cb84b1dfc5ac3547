import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerResourceLimits } from './projector-worker.js';

/** Allocates short-lived objects until the young generation has grown to its limit, then posts its size and the heap's limit. */
const CHURN = `
const { parentPort } = require('node:worker_threads');
const { getHeapSpaceStatistics, getHeapStatistics } = require('node:v8');
let kept = [];
for (let i = 0; i < 3e6; i++) {
  kept.push({ i, s: 'x' + i });
  if (kept.length > 20000) kept = [];
}
parentPort.postMessage({
  newSpace: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size,
  heapLimit: getHeapStatistics().heap_size_limit,
});
`;

describe('the projector worker heap', () => {
  it('keeps its own heap limits when the process runs with npm start\'s heap flags', async () => {
    // What `npm start` gives the process: flags sized for the main thread's heap.
    setFlagsFromString('--max-semi-space-size=16');
    setFlagsFromString('--max-old-space-size=512');
    const limits = workerResourceLimits();
    const worker = new Worker(CHURN, { eval: true, resourceLimits: limits });
    const [{ newSpace, heapLimit }] = (await once(worker, 'message')) as [{ newSpace: number; heapLimit: number }];
    await worker.terminate();
    const mb = 1024 * 1024;
    // With the flags in force the worker's new space grows to 2 x 16 MB and its heap's limit is the main
    // thread's (512 MB old, plus the young generation), whatever its resourceLimits say.
    expect(newSpace).toBeGreaterThan(0);
    expect(newSpace).toBeLessThanOrEqual((limits.maxYoungGenerationSizeMb ?? 0) * mb);
    expect(heapLimit).toBeLessThan(512 * mb);
  });
});
