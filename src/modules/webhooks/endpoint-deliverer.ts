import { Logger } from '@nestjs/common';
import { isConnectionError } from '../../database/connection-loss.js';
import type { LogCheckpoint, StoredEvent } from '../../event-store/event.js';
import type { EventStore } from '../../event-store/event-store.js';
import { toEventDto } from '../../http/event.dto.js';
import { checkpointOfEvent, compareCheckpoints } from '../../projections/checkpoint-store.js';
import type { ListenSession } from '../../projections/listen-session.js';
import type { AdvisoryLockKey } from '../../projections/projection-locks.js';
import { WakeSignal } from '../../projections/wake-signal.js';
import { MAX_ATTEMPTS, retryDelayMs, type DeliverySettings, type DeliverySlots } from './delivery-settings.js';
import type { DeliveryAttempt, WebhookDeliveries } from './webhook-deliveries.js';
import type { WebhookEndpoint, WebhookEndpoints } from './webhook-endpoints.js';
import { EndpointConnections, sendWebhook, type SendResult } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';

/** Events read per step: bounds an endpoint's memory (and SharedLogReads lets caught-up endpoints share the read). */
const BATCH_SIZE = 100;
/** Fallback when no notification arrives, and the longest a backoff wait goes without looking at the row again. */
const POLL_MS = 500;
/** How soon to look again when an older, still running append holds events back. */
const HELD_BACK_MS = 20;
const LOCK_RETRY_MS = 1_000;
const UNAVAILABLE_MS = 1_000;

export interface DelivererDeps {
  readonly endpoints: WebhookEndpoints;
  readonly deliveries: WebhookDeliveries;
  readonly store: Pick<EventStore, 'readLogBatch'>;
  readonly session: ListenSession;
  readonly slots: DeliverySlots;
  readonly settings: DeliverySettings;
  readonly lockKey: AdvisoryLockKey;
  /** Called when the loop ends (the endpoint was disabled or deleted, or stop()). */
  readonly onEnd: () => void;
}

type Step = { wait: number; wakeable: boolean } | 'again' | 'gone';

/**
 * Delivers one endpoint's events in log order, while this instance holds its lock (a session advisory
 * lock on the dispatcher's connection: one deliverer per endpoint across instances). Each step reads the
 * endpoint's row afresh (a PATCH, a replay or another instance's progress is seen at once) and the log
 * after its checkpoint; an event is delivered only after every earlier matching one succeeded, and the
 * checkpoint moves only after a success: at least once, in order, whatever crashes in between.
 */
export class EndpointDeliverer {
  private readonly logger = new Logger('Webhooks');
  private readonly signal = new WakeSignal();
  private loop: Promise<void> | undefined;
  private lockGeneration: number | undefined;
  /** The endpoint's kept-alive connection, closed when the loop ends. */
  private readonly connections = new EndpointConnections();

  constructor(
    readonly id: string,
    private readonly deps: DelivererDeps,
  ) {}

  start(): void {
    this.loop ??= this.run().finally(() => this.deps.onEnd());
  }

  wake(): void {
    this.signal.wake();
  }

  async stop(): Promise<void> {
    this.signal.close();
    await this.loop;
  }

  private get holding(): boolean {
    return this.lockGeneration !== undefined && this.lockGeneration === this.deps.session.generation;
  }

  private async run(): Promise<void> {
    try {
      while (!this.signal.closed) {
        if (!this.holding) {
          this.lockGeneration = await this.deps.session.tryLock(this.deps.lockKey);
          if (this.lockGeneration === undefined) {
            await this.signal.wait(LOCK_RETRY_MS, false);
            continue;
          }
        }
        const step = await this.step().catch((error: unknown) => this.unavailable(error));
        if (step === 'gone') return;
        if (step !== 'again') await this.signal.wait(step.wait, step.wakeable);
      }
    } finally {
      this.connections.destroy();
      if (this.lockGeneration !== undefined) await this.deps.session.unlock(this.deps.lockKey, this.lockGeneration);
      this.lockGeneration = undefined;
    }
  }

  private async step(): Promise<Step> {
    const endpoint = await this.deps.endpoints.find(this.id);
    if (!endpoint || endpoint.status !== 'active') return 'gone';
    const now = this.deps.settings.now();
    if (endpoint.nextAttemptAt && endpoint.nextAttemptAt.getTime() > now) {
      // Backing off: only a change of the row (a replay, a PATCH) should cut this short, and that wakes us.
      return { wait: Math.min(endpoint.nextAttemptAt.getTime() - now, POLL_MS), wakeable: false };
    }
    const read = await this.deps.store.readLogBatch(endpoint.checkpoint, BATCH_SIZE);
    if (read.events.length === 0) return { wait: read.heldBack ? HELD_BACK_MS : POLL_MS, wakeable: true };

    let from = endpoint.checkpoint;
    let done = from;
    let attempts = endpoint.attempts;
    for (const event of read.events) {
      if (this.signal.closed || !this.holding) break;
      if (!matches(endpoint, event)) {
        done = checkpointOfEvent(event);
        continue;
      }
      const result = await this.deps.slots.run(() => this.send(endpoint, event));
      attempts++;
      const attempt: DeliveryAttempt = {
        endpointId: endpoint.id, eventId: event.eventId, type: event.type, position: event.position, attempt: attempts,
        status: result.ok ? 'delivered' : 'failed', responseStatus: result.responseStatus, error: result.error, durationMs: result.durationMs,
      };
      if (!result.ok) {
        await this.deps.deliveries.record(attempt);
        return this.failed(endpoint, from, done, attempts, result);
      }
      const delivered = checkpointOfEvent(event);
      if (!(await this.deps.endpoints.advanceDelivered(endpoint.id, from, delivered, attempt))) return 'again';
      from = done = delivered;
      attempts = 0;
    }
    if (compareCheckpoints(done, from) !== 0 && !(await this.deps.endpoints.advance(endpoint.id, from, done))) return 'again';
    return 'again';
  }

  private async failed(endpoint: WebhookEndpoint, from: LogCheckpoint, done: LogCheckpoint, attempts: number, result: SendResult): Promise<Step> {
    const disable = attempts >= MAX_ATTEMPTS;
    const delay = retryDelayMs(attempts, this.deps.settings);
    const error = result.error ?? `HTTP ${result.responseStatus}`;
    const nextAttemptAt = new Date(this.deps.settings.now() + delay);
    if (!(await this.deps.endpoints.failed(endpoint.id, from, done, { attempts, nextAttemptAt, error, disable }))) return 'again';
    if (disable) {
      this.logger.warn(`webhook endpoint ${endpoint.id} disabled after ${attempts} failed attempts of one event: ${error}`);
      return 'gone';
    }
    return { wait: Math.min(delay, POLL_MS), wakeable: false };
  }

  /** One attempt: the Standard Webhooks headers and body, signed with the endpoint's secret. */
  private send(endpoint: WebhookEndpoint, event: StoredEvent): Promise<SendResult> {
    const { settings } = this.deps;
    const body = JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: toEventDto(event) });
    const timestamp = Math.floor(settings.now() / 1000);
    const headers = { 'webhook-id': event.eventId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(endpoint.secret, event.eventId, timestamp, body) };
    return sendWebhook(endpoint.url, headers, body, { timeoutMs: settings.timeoutMs, allowPrivate: settings.allowPrivate, connections: this.connections });
  }

  private unavailable(error: unknown): Step {
    if (!isConnectionError(error)) this.logger.error(`webhook endpoint ${this.id}: ${error instanceof Error ? error.message : String(error)}`);
    return { wait: UNAVAILABLE_MS, wakeable: true };
  }
}

function matches(endpoint: WebhookEndpoint, event: StoredEvent): boolean {
  return endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(event.type);
}
