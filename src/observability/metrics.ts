import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's one Prometheus registry, served at GET /metrics. Domain-free, so that the kernel
 * (event store, projections) can count into it without importing anything HTTP.
 *
 * Metrics are per process: tests that run several applications in one process see their sums.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

// Write side. Counters without labels on the hot path: one increment, no object per call.

export const commandsHandled = new Counter({
  name: 'eventshop_commands_handled_total',
  help: 'Commands run through the command runner, whatever their outcome',
  registers,
});

export const commandsRefused = new Counter({
  name: 'eventshop_commands_refused_total',
  help: 'Commands refused with a domain error, by its stable code (CONCURRENCY_CONFLICT: retries exhausted)',
  labelNames: ['code'] as const,
  registers,
});

export const commandRetries = new Counter({
  name: 'eventshop_command_retries_total',
  help: 'Commands decided again after losing an optimistic-concurrency race',
  registers,
});

export const concurrencyConflicts = new Counter({
  name: 'eventshop_concurrency_conflicts_total',
  help: 'Appends refused because a stream was no longer at the expected version (each lost race, retried or not)',
  registers,
});

export const eventsAppended = new Counter({
  name: 'eventshop_events_appended_total',
  help: 'Events committed to the log by this process',
  registers,
});

export const groupCommitBatchSize = new Histogram({
  name: 'eventshop_group_commit_batch_commands',
  help: 'Commands per group-commit statement (1 when idle; grows under load)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers,
});

// Read side.

export const projectionBatchDuration = new Histogram({
  name: 'eventshop_projection_batch_duration_seconds',
  help: 'Duration of a live projection batch: apply the events and move the checkpoint, in one transaction',
  labelNames: ['projection'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers,
});

export const projectionFailures = new Counter({
  name: 'eventshop_projection_failures_total',
  help: 'Live projection batches that failed (the projection retries with backoff)',
  labelNames: ['projection'] as const,
  registers,
});

/** A projection's place in the log, read from the checkpoint table when /metrics is scraped. */
export interface ProjectionProgress {
  readonly name: string;
  readonly position: string;
  /** Committed events after the checkpoint. */
  readonly lagEvents: number;
  /** Age of the oldest committed event not applied yet; 0 when caught up. */
  readonly lagSeconds: number;
}

type ProjectionSource = () => Promise<readonly ProjectionProgress[]>;
const projectionSources = new Set<ProjectionSource>();
const poolSources = new Map<pg.Pool, string>();

/** Reports projections' progress at each scrape, until the returned function is called. */
export function trackProjections(source: ProjectionSource): () => void {
  projectionSources.add(source);
  return () => projectionSources.delete(source);
}

/** Reports a pg pool's connections at each scrape (labelled `pool`), until the returned function is called. */
export function trackPool(name: string, pool: pg.Pool): () => void {
  poolSources.set(pool, name);
  return () => poolSources.delete(pool);
}

const projectionGauge = (name: string, help: string) =>
  new Gauge({ name, help, labelNames: ['projection'] as const, registers, collect: refreshProjections });
const projectionPosition = projectionGauge('eventshop_projection_position', 'Global log position of the last event the projection applied');
const projectionLagEvents = projectionGauge('eventshop_projection_lag_events', 'Committed events the projection has not applied yet');
const projectionLagSeconds = projectionGauge(
  'eventshop_projection_lag_seconds',
  'Age of the oldest committed event the projection has not applied yet (0 when caught up)',
);

let projectionsRefresh: Promise<void> | undefined;

/** The registry collects gauges in parallel: the three projection gauges share one read per scrape. */
function refreshProjections(): Promise<void> {
  projectionsRefresh ??= readProjections().finally(() => (projectionsRefresh = undefined));
  return projectionsRefresh;
}

async function readProjections(): Promise<void> {
  const progress = (
    // A scrape while the database is down still answers, without the projection series.
    await Promise.all([...projectionSources].map((source) => source().catch(() => [])))
  ).flat();
  projectionPosition.reset();
  projectionLagEvents.reset();
  projectionLagSeconds.reset();
  for (const { name, position, lagEvents, lagSeconds } of progress) {
    projectionPosition.set({ projection: name }, Number(position));
    projectionLagEvents.set({ projection: name }, lagEvents);
    projectionLagSeconds.set({ projection: name }, lagSeconds);
  }
}

/** A pool gauge, read at scrape. Several applications in one process (tests) may name a pool alike: they add up. */
const poolGauge = (name: string, help: string, count: (pool: pg.Pool) => number): Gauge<'pool'> => {
  const gauge: Gauge<'pool'> = new Gauge({
    name,
    help,
    labelNames: ['pool'] as const,
    registers,
    collect: () => {
      gauge.reset();
      for (const [pool, poolName] of poolSources) gauge.inc({ pool: poolName }, count(pool));
    },
  });
  return gauge;
};
poolGauge('eventshop_db_pool_in_use', 'Connections checked out of the pool', (pool) => pool.totalCount - pool.idleCount);
poolGauge('eventshop_db_pool_idle', 'Open connections idle in the pool', (pool) => pool.idleCount);
poolGauge('eventshop_db_pool_waiting', 'Queries and checkouts waiting for a connection', (pool) => pool.waitingCount);
