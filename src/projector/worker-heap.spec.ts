import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
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

/** Posts the heap's limit (old generation plus young). */
const LIMIT = `require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit);`;

describe('the projector worker heap', () => {
  it('keeps its own heap limits when the process runs with npm start\'s heap flags', async () => {
    // What `npm start` gives the process: flags sized for the main thread's heap.
    setFlagsFromString('--max-semi-space-size=16');
    setFlagsFromString('--max-old-space-size=512');
    const limits = workerResourceLimits(loadConfig({}));
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

  it('gives the worker the young generation PROJECTOR_YOUNG_GENERATION_MB asks for', async () => {
    const heapLimit = async (settings: Record<string, string>) => {
      const worker = new Worker(LIMIT, { eval: true, resourceLimits: workerResourceLimits(loadConfig(settings)) });
      const [limit] = (await once(worker, 'message')) as [number];
      await worker.terminate();
      return limit;
    };
    const mb = 1024 * 1024;
    const byDefault = await heapLimit({});
    const larger = await heapLimit({ PROJECTOR_YOUNG_GENERATION_MB: '96' });
    // A heap's limit is its old generation's plus its young generation's: the same old, 72 MB more young.
    expect(larger - byDefault).toBeGreaterThan(60 * mb);
    expect(larger - byDefault).toBeLessThan(84 * mb);
  });
});
