import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerResourceLimits } from './projector-worker.js';

/** Allocates short-lived objects until the young generation has grown to its limit, then posts its size. */
const CHURN = `
const { parentPort } = require('node:worker_threads');
const { getHeapSpaceStatistics } = require('node:v8');
let kept = [];
for (let i = 0; i < 3e6; i++) {
  kept.push({ i, s: 'x' + i });
  if (kept.length > 20000) kept = [];
}
parentPort.postMessage(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size);
`;

describe('the projector worker heap', () => {
  it('keeps its own young generation limit when the process runs with --max-semi-space-size', async () => {
    // What `npm start` gives the process: a flag meant for the main thread's young generation.
    setFlagsFromString('--max-semi-space-size=32');
    const limits = workerResourceLimits();
    const worker = new Worker(CHURN, { eval: true, resourceLimits: limits });
    const [newSpaceBytes] = (await once(worker, 'message')) as [number];
    await worker.terminate();
    // With the flag in force the worker's new space grows to 2 x 32 MB whatever its resourceLimits say.
    expect(newSpaceBytes).toBeGreaterThan(0);
    expect(newSpaceBytes).toBeLessThanOrEqual((limits.maxYoungGenerationSizeMb ?? 0) * 1024 * 1024);
  });
});
