import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMeter, noiseLog } from './cpu-usage.mjs';

/**
 * A warm-up, then `runs` measured runs of each target, interleaved (A1 B1 C1 A2 B2 C2 ...) so that
 * drift on a shared machine hits the figure and its baseline alike. Before every run: `settle()` (the
 * projections catch up), then up to `quietWaitSec` for other processes to leave the CPU alone. Each
 * measured run's outside CPU use goes to the noise log. Returns, per target key, the measured runs'
 * results (the warm-up's are dropped), each with `cpu`: where the CPU went during it (see cpuMeter; a
 * target's `servicePid` names the process counted as the service). A target's `skip({ warmup, round })`
 * returning true leaves a run out.
 */
export async function repeatInterleaved({ runs, targets, settle, progress, title, quietWaitSec = 0 }) {
  const results = Object.fromEntries(targets.map((t) => [t.key, []]));
  for (let round = 0; round <= runs; round++) {
    const phase = round === 0 ? 'warm-up' : `run ${round}/${runs}`;
    for (const target of targets) {
      const label = `${target.label}, ${phase}`;
      // A target may leave out its warm-up, or further runs (e.g. when they would not fit the time budget).
      if (target.skip?.({ warmup: round === 0, round })) continue;
      let meter;
      // Every target arranges its data, then calls beforeLoad() right before its load starts.
      const beforeLoad = async () => {
        await settle?.();
        await waitForQuiet(quietWaitSec, (others) => progress.status(`${title}: ${label}: waiting for other processes to quieten (${others.toFixed(1)} cores busy)`));
        progress.status(`${title}: ${label}`);
        meter = cpuMeter({ servicePid: target.servicePid });
      };
      progress.status(`${title}: ${label}: arranging`);
      const result = await target.run({ warmup: round === 0, round, label, beforeLoad });
      if (!meter) throw new Error(`bench: target ${target.label} did not call beforeLoad()`);
      const cpu = meter.stop();
      if (result && typeof result === 'object') result.cpu = cpu;
      if (round > 0) {
        results[target.key].push(result);
        noiseLog.push({ scenario: title, run: label, ...cpu });
      }
      progress.step(`${title}: ${label}: ${target.describe?.(result) ?? 'done'} [other processes: ${cpu.others.toFixed(2)} cores]`);
    }
  }
  return results;
}

/** What is left of the whole bench's allowance for waiting on other processes (so it ends in bounded time). */
let quietBudgetMs = Infinity;
export function setQuietBudget(seconds) {
  quietBudgetMs = seconds * 1000;
}

/** Waits (at most `maxSec`, and within the budget) until processes outside the bench use less than half a core. */
export async function waitForQuiet(maxSec, onWait) {
  const started = Date.now();
  const deadline = started + Math.min(maxSec * 1000, quietBudgetMs);
  if (deadline <= started) return undefined;
  try {
    for (;;) {
      const meter = cpuMeter();
      await sleep(500);
      const { others } = meter.stop();
      if (others < 0.5 || Date.now() >= deadline) return others;
      onWait?.(others);
    }
  } finally {
    quietBudgetMs -= Date.now() - started;
  }
}

export const range = (n) => Array.from({ length: n }, (_, i) => i);

export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n);
