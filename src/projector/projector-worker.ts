import { setFlagsFromString } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EventStore } from '../event-store/event-store.js';
import { ProjectionRebuildingError } from '../projections/projection.errors.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { tellAppends, type FromProjector, type ToProjector } from './projector-messages.js';

/**
 * The worker's old generation: 256 MB, some four times what the worker keeps live under the add-item load
 * (45-66 MB); a limit this size also keeps V8 from growing the old space to four times what is live
 * before collecting it (its growing factor shrinks with the limit). 96 MB old / 8 MB young, tried first,
 * made the rebuild 3-4x slower (13,131 events/s, measured while the main thread's flag still gave the
 * worker a 2 x 32 MB young generation, so the 96 MB old generation was probably what slowed it).
 *
 * Its young generation is PROJECTOR_YOUNG_GENERATION_MB (app-config.ts), 24 by default: that took some
 * 17 MB off the peak RSS under the add-item load, and costs a rebuild. In a rebuild the worker spent 29%
 * of its samples in the garbage collector, scavenging every 35 ms and promoting nearly every event it
 * read (a batch of 2,000 lives from its read to its commit, about two scavenges). 96 MB: 1.10-1.18x the
 * events/s from 1M events (runs interleaved with the default's), and 330 MB peak RSS under add-item
 * instead of ~285 (Dec 1). Full benches with 24 MB gave 0.74-0.87x bare pg's rebuild rate on 1M events,
 * depending on the day (48 MB once: 0.83x).
 */
const OLD_GENERATION_MB = 256;
/**
 * The worker's resourceLimits, made to hold. `--max-semi-space-size` and `--max-old-space-size` (npm
 * start's flags, sized for the request thread) are process-wide V8 flags, and they override an isolate's
 * own limits when the isolate is created: the worker got the main thread's young generation (a new
 * space of 67 MB instead of about 30 under the add-item load, measured) and its old generation limit.
 * `--min-semi-space-size` would start the worker's young generation at its largest and keep it there
 * while the worker idles. V8 reads the flags only when it sets up a heap, so clearing them here leaves
 * the main thread's heap as it is and lets the workers started from now on have their own.
 */
export function workerResourceLimits(config: Pick<AppConfig, 'PROJECTOR_YOUNG_GENERATION_MB'>): ResourceLimits {
  setFlagsFromString('--min-semi-space-size=0');
  setFlagsFromString('--max-semi-space-size=0');
  setFlagsFromString('--max-old-space-size=0');
  return { maxOldGenerationSizeMb: OLD_GENERATION_MB, maxYoungGenerationSizeMb: config.PROJECTOR_YOUNG_GENERATION_MB };
}

/** Longest the worker may take to finish its batches and close before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;
/** A worker that died is started again after this. */
const RESTART_DELAY_MS = 1_000;

/**
 * PROJECTIONS=worker: runs the projections, reactions, timers and webhook delivery in a worker thread
 * (projector-thread.ts) with its own event loop and connections. The main thread tells it of its appends
 * (wake-ups, no NOTIFY round trip) and forwards admin rebuilds to it; it posts each committed checkpoint
 * back, which is how `X-Min-Position` and `X-Projection-Position` answer here without a query.
 */
@Injectable()
export class ProjectorWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly rebuilds = new Map<number, { readonly name: string; resolve(): void; reject(error: Error): void }>();
  private nextRequest = 1;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly runner: ProjectionRunner,
    private readonly store: EventStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.projectionsMode !== 'worker') return;
    await this.start();
    this.unsubscribe = tellAppends(this.store, () => this.post({ type: 'appended' }));
    this.runner.delegateRebuilds((name) => this.rebuild(name));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.unsubscribe?.();
    this.runner.delegateRebuilds(undefined);
    const worker = this.worker;
    if (!worker) return;
    this.post({ type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Starts the thread; resolves once its application is up, rejects if it fails to start. */
  private start(): Promise<void> {
    const worker = new Worker(new URL('./projector-thread.js', import.meta.url), {
      name: 'eventshop-projector',
      // Its own pool of DATABASE_POOL_SIZE: every applier reads the log through it (a pool of 4 made them
      // time out waiting for a connection at start-up, measured), besides the reactions' commands.
      workerData: { settings: settingsOf(this.config) },
      resourceLimits: workerResourceLimits(this.config),
    });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromProjector) => {
        if (message.type === 'ready') {
          ready = true;
          this.logger.log('projections, reactions, timers and webhook delivery run in a worker thread');
          resolve();
        } else this.received(message);
      });
      worker.on('error', (error) => {
        if (!ready) reject(new Error(`the projector thread failed to start: ${error.message}`));
        else this.logger.error(`the projector thread failed: ${error.stack ?? error.message}`);
      });
      this.exited = new Promise((done) =>
        worker.once('exit', (code) => {
          this.worker = undefined;
          for (const { reject: refuse } of this.rebuilds.values()) refuse(new Error('the projector thread stopped'));
          this.rebuilds.clear();
          done();
          if (!ready) reject(new Error(`the projector thread exited during start-up (code ${code})`));
          else if (!this.stopping) this.restart(code);
        }),
      );
    });
  }

  private restart(code: number): void {
    this.logger.error(`the projector thread exited (code ${code}); starting it again in ${RESTART_DELAY_MS} ms`);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.start().catch((error: unknown) => {
        this.logger.error(error instanceof Error ? error.message : String(error));
        if (!this.stopping) this.restart(-1);
      });
    }, RESTART_DELAY_MS);
  }

  private received(message: FromProjector): void {
    if (message.type === 'advanced') {
      this.runner.recordCheckpoint(message.name, message.checkpoint);
      return;
    }
    if (message.type === 'appended') {
      this.store.appendedInProcess();
      return;
    }
    if (message.type === 'ready') return;
    const request = this.rebuilds.get(message.id);
    if (!request) return;
    this.rebuilds.delete(message.id);
    if (message.type === 'rebuild-started') request.resolve();
    else request.reject(message.code === 'PROJECTION_REBUILDING' ? new ProjectionRebuildingError(request.name) : new Error(message.message));
  }

  private rebuild(name: string): Promise<void> {
    if (!this.worker) return Promise.reject(new Error('the projector thread is not running'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.rebuilds.set(id, { name, resolve, reject });
      this.post({ type: 'rebuild', id, name });
    });
  }

  private post(message: ToProjector): void {
    this.worker?.postMessage(message);
  }
}

/** A loaded configuration as the strings loadConfig reads: what the thread is given. */
function settingsOf(config: AppConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => [name, String(value)]),
  );
}
