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

/** Posts the size of its young generation's new space before it has allocated anything. */
const START = `require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size);`;

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

  it('starts the worker\'s young generation small when the process holds its own at a floor', async () => {
    // npm start's `--min-semi-space-size` keeps the request thread's young generation from shrinking when
    // it idles; the worker grows its own under load and may shrink it again.
    setFlagsFromString('--min-semi-space-size=16');
    const limits = workerResourceLimits(loadConfig({}));
    const worker = new Worker(START, { eval: true, resourceLimits: limits });
    const [newSpace] = (await once(worker, 'message')) as [number];
    await worker.terminate();
    // Its young generation is three semi-spaces' worth; with the floor in force a new space starts as
    // one semi-space at its largest (measured: 8 MB of 24, against 2 MB without it).
    expect(newSpace).toBeLessThan(((limits.maxYoungGenerationSizeMb ?? 0) / 3) * 1024 * 1024);
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
