import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../../config/app-config.js';
import { PG_POOL } from '../../database/database.tokens.js';
import { EventStore } from '../../event-store/event-store.js';
import { ListenSession } from '../../projections/listen-session.js';
import type { AdvisoryLockKey } from '../../projections/projection-locks.js';
import { DELIVERY_SETTINGS, DeliverySlots, MAX_CONCURRENT_DELIVERIES, type DeliverySettings } from './delivery-settings.js';
import { EndpointDeliverer } from './endpoint-deliverer.js';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { WebhookEndpoints } from './webhook-endpoints.js';

/** How often the active endpoints are listed again (new ones, another instance's resumed ones). */
const REFRESH_MS = 2_000;
/** How often the delivery log is purged of rows past their age. */
const PURGE_MS = 10 * 60_000;
/** First half of the endpoint lock's key (the second is a hash of its id); apart from the projections' kinds. */
const LOCK_KIND = 0x57484b01;

/**
 * Runs a deliverer for every active endpoint. One dedicated connection (a ListenSession, as the
 * projections have) both hears appends from other instances and holds the endpoints' locks; this
 * instance's own appends wake the deliverers directly.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly deliverers = new Map<string, EndpointDeliverer>();
  private readonly session: ListenSession;
  private readonly slots = new DeliverySlots(MAX_CONCURRENT_DELIVERIES);
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    private readonly store: EventStore,
    private readonly endpoints: WebhookEndpoints,
    private readonly deliveries: WebhookDeliveries,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    private readonly config: AppConfig,
  ) {
    this.session = new ListenSession({ ...pool.options, application_name: 'eventshop-webhooks' }, { onNotify: () => this.wakeAll(), onLost: () => undefined }, undefined, this.config.instanceId);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Delivery runs with the projections (PROJECTIONS=worker: in the worker thread, which lists new endpoints within REFRESH_MS).
    if (!this.config.runsBackgroundWork) return;
    await this.session.open();
    this.unsubscribe = this.store.onAppended(() => this.wakeAll());
    this.timers = [setInterval(() => void this.refresh(), REFRESH_MS).unref(), setInterval(() => void this.purge(), PURGE_MS).unref()];
    await this.refresh();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.timers.forEach((timer) => clearInterval(timer));
    await this.refreshing;
    await Promise.all([...this.deliverers.values()].map((deliverer) => deliverer.stop()));
    await this.session.close();
  }

  /** An endpoint was created or changed here: start (or wake) its deliverer now rather than at the next refresh. */
  async changed(id: string): Promise<void> {
    await this.refresh();
    this.deliverers.get(id)?.wake();
  }

  /** Purges the delivery log of rows older than WEBHOOK_DELIVERY_LOG_DAYS; how many. */
  purge(now?: Date): Promise<number> {
    return this.deliveries.purge(this.settings.deliveryLogDays, now).catch((error: unknown) => {
      this.logger.warn(`purging the webhook delivery log failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    });
  }

  private wakeAll(): void {
    for (const deliverer of this.deliverers.values()) deliverer.wake();
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.startActive().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async startActive(): Promise<void> {
    if (this.stopped || !this.config.runsBackgroundWork) return;
    const ids = await this.endpoints.activeIds().catch(() => []);
    for (const id of ids) {
      if (this.deliverers.has(id) || this.stopped) continue;
      const deliverer = new EndpointDeliverer(id, {
        endpoints: this.endpoints,
        deliveries: this.deliveries,
        store: this.store,
        session: this.session,
        slots: this.slots,
        settings: this.settings,
        lockKey: endpointLockKey(id),
        onEnd: () => {
          if (this.deliverers.get(id) === deliverer) this.deliverers.delete(id);
        },
      });
      this.deliverers.set(id, deliverer);
      deliverer.start();
    }
  }
}

function endpointLockKey(id: string): AdvisoryLockKey {
  const digest = createHash('sha256').update(id).digest();
  return { args: [LOCK_KIND, digest.readInt32BE(0)], classId: String(LOCK_KIND), objId: String(digest.readUInt32BE(0)) };
}
