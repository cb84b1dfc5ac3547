import { Module } from '@nestjs/common';
import { Webhooks1764190000000 } from './migrations/1764190000000-webhooks.js';
import { AppConfig } from '../../config/app-config.js';
import { DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.js';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpoints } from './webhook-endpoints.js';
import { WebhooksController } from './webhooks.controller.js';

/** Signed webhooks in log order (shared/spec/api.md, Webhooks): endpoints, delivery, the delivery log. */
@Module({
  controllers: [WebhooksController],
  providers: [
    WebhookEndpoints,
    WebhookDeliveries,
    WebhookDispatcher,
    {
      provide: DELIVERY_SETTINGS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): DeliverySettings => ({
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        deliveryLogDays: config.WEBHOOK_DELIVERY_LOG_DAYS,
        now: Date.now,
      }),
    },
  ],
})
export class WebhooksModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [Webhooks1764190000000];
}
