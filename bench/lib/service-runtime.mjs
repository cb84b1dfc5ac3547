/* global fetch */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BENCH_METRICS_TOKEN } from './api-client.mjs';

/**
 * prom-client samples the event loop with a timer every 10 ms (its default eventLoopMonitoringPrecision, which
 * the service keeps), and Node records the whole interval between two ticks: an idle loop reads 10 ms. The
 * delay is what comes on top of that.
 */
const LOOP_SAMPLING_MS = 10;

/**
 * The service's request thread as its own GET /metrics tells it (prom-client's default metrics): the
 * event-loop delay since the previous scrape (a scrape resets prom-client's delay histogram) and the
 * garbage collector's running totals by kind. Scrape just before a load and right after it; `runtimeDuring`
 * turns the pair into what happened during the load. The projector's worker thread is not in these: it
 * has an event loop and a heap of its own.
 */
export async function scrapeRuntime(app) {
  const res = await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  const text = await res.text();
  // A failed scrape must not pass for a run without collections.
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 200)}`);
  const value = (series) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const delay = (seconds) => Math.max(0, seconds * 1000 - LOOP_SAMPLING_MS);
  // A kind that has not run yet has no series.
  const gc = (kind) => ({ count: value(`nodejs_gc_duration_seconds_count{kind="${kind}"}`) || 0, seconds: value(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`) || 0 });
  return {
    loopDelay: { p99: delay(value('nodejs_eventloop_lag_p99_seconds')), max: delay(value('nodejs_eventloop_lag_max_seconds')) },
    gc: { major: gc('major'), minor: gc('minor'), incremental: gc('incremental') },
    schedule: threadSchedule(app.service.pid),
  };
}

/**
 * The kernel's account of one thread (here the service's main thread, whose id is the process's):
 * nanoseconds on a CPU, nanoseconds runnable but waiting for one, and timeslices, from
 * /proc/<pid>/task/<tid>/schedstat. Null where the kernel keeps no such account.
 */
function threadSchedule(pid, tid = pid) {
  try {
    const [runNs, waitNs, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { at: performance.now(), runNs, waitNs, slices };
  } catch {
    return null;
  }
}

/**
 * Between two scrapes: the event-loop delay (p99, max; ms), and per GC kind the collections and the time
 * they held the thread (ms). `major` is the atomic mark-compact pause; `incremental` the marking steps
 * that ran on the thread before it.
 */
export function runtimeDuring(before, after) {
  const gc = (kind) => ({ count: after.gc[kind].count - before.gc[kind].count, ms: (after.gc[kind].seconds - before.gc[kind].seconds) * 1000 });
  return {
    loopDelay: after.loopDelay,
    gc: { major: gc('major'), minor: gc('minor'), incremental: gc('incremental') },
    schedule: scheduleDuring(before.schedule, after.schedule),
  };
}

/**
 * What the request thread did between two readings, as shares of the time between them: running, and
 * waiting for a core while it had work (woken by a request or an answer from PostgreSQL, but every core
 * busy with something else). The second is time a request is held that neither the event-loop delay
 * (much of it falls between the loop's timer samples) nor the thread's CPU time shows.
 */
function scheduleDuring(before, after) {
  if (!before || !after) return null;
  const wallNs = (after.at - before.at) * 1e6;
  const waitNs = after.waitNs - before.waitNs;
  const slices = after.slices - before.slices;
  return { running: (after.runNs - before.runNs) / wallNs, waiting: waitNs / wallNs, waitPerWakeMs: slices > 0 ? waitNs / slices / 1e6 : 0 };
}

/** Figures for a report section from runs that carry `runtime` (runtimeDuring): the request thread's collections. */
export function gcFigures(key, label, runs) {
  return [
    { key: `${key}.gc.major`, label: `${label}: mark-compacts of the service's request thread`, unit: '', values: runs.map((r) => r.runtime.gc.major.count), better: 'lower' },
    {
      key: `${key}.gc.majorMs`,
      label: `${label}: the request thread held by mark-compacts (atomic pauses + incremental marking steps), in all`,
      unit: 'ms',
      values: runs.map((r) => r.runtime.gc.major.ms + r.runtime.gc.incremental.ms),
      better: 'lower',
      digits: 1,
    },
    { key: `${key}.gc.minorMs`, label: `${label}: the request thread held by scavenges, in all`, unit: 'ms', values: runs.map((r) => r.runtime.gc.minor.ms), better: 'lower', digits: 1 },
  ];
}

/**
 * The event-loop delay figures (p99, max) of runs that carry `runtime`, and, where the kernel keeps the
 * account, how the request thread was scheduled (see scheduleDuring).
 */
export function loopDelayFigures(key, label, runs) {
  const percent = (share) => share * 100;
  return [
    { key: `${key}.loop.p99`, label: `${label}: the service's event-loop delay, p99`, unit: 'ms', values: runs.map((r) => r.runtime.loopDelay.p99), better: 'lower', digits: 1 },
    { key: `${key}.loop.max`, label: `${label}: the service's event-loop delay, max`, unit: 'ms', values: runs.map((r) => r.runtime.loopDelay.max), better: 'lower', digits: 1 },
    ...(runs.every((r) => r.runtime.schedule)
      ? [
          { key: `${key}.sched.running`, label: `${label}: the service's request thread on a core (% of the run)`, unit: '%', values: runs.map((r) => percent(r.runtime.schedule.running)), better: 'lower', digits: 0 },
          {
            key: `${key}.sched.waiting`,
            label: `${label}: the service's request thread runnable but waiting for a core (% of the run; kernel schedstat)`,
            unit: '%',
            values: runs.map((r) => percent(r.runtime.schedule.waiting)),
            better: 'lower',
            digits: 1,
          },
          { key: `${key}.sched.perWake`, label: `${label}: the request thread's wait for a core, per wake-up (mean)`, unit: 'ms', values: runs.map((r) => r.runtime.schedule.waitPerWakeMs), better: 'lower', digits: 3 },
        ]
      : []),
  ];
}
