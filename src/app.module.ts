import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { migrationsOf, type DomainModule } from './database/module-migrations.js';
import { EventStoreModule } from './event-store/event-store.module.js';
import { HttpModule } from './http/http.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { createRootLogger, RequestLog } from './observability/request-logging.js';
import { CartsModule } from './modules/carts/carts.module.js';
import { CatalogModule } from './modules/catalog/catalog.module.js';
import { OrdersModule } from './modules/orders/orders.module.js';
import { ReportsModule } from './modules/reports/reports.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { LiveModule } from './modules/live/live.module.js';
import { ShippingModule } from './modules/shipping/shipping.module.js';
import { DiscountsModule } from './modules/discounts/discounts.module.js';
import { ReviewsModule } from './modules/reviews/reviews.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { ProjectorWorker } from './projector/projector-worker.js';
import type { Clock } from './reactions/clock.js';
import { ReactionsModule } from './reactions/reactions.module.js';

/** The domain modules. A new module is one line here: its routes, handlers, projections and migrations come with it. */
const domainModules: readonly DomainModule[] = [
  CatalogModule, CartsModule, OrdersModule, ReportsModule, ShippingModule, DiscountsModule, WebhooksModule, LiveModule, ReviewsModule,
];

/** Every migration the app runs at start, the kernel's and the modules', oldest first (tests and the bench migrate with it). */
export const migrations = migrationsOf(domainModules);

export interface AppOptions {
  /** Where logs go (tests read them); standard output by default. */
  readonly logDestination?: DestinationStream;
  /** The time timers go by (tests drive a ManualClock); the system clock by default. */
  readonly clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    const logger = createRootLogger({ level: config.LOG_LEVEL }, options.logDestination);
    const requestLog = new RequestLog(logger, [config.JWT_SECRET, config.METRICS_TOKEN ?? '']);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // nestjs-pino is the application's logger, on our pino instance; its request middleware is
        // mounted on no route: requests are logged by RequestLog, a Fastify hook (it says why).
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        DatabaseModule.forRoot(migrations),
        CqrsModule.forRoot(),
        EventStoreModule,
        HttpModule,
        ObservabilityModule,
        ProjectionsModule,
        ReactionsModule.forRoot(options.clock),
        ...domainModules,
      ],
      // PROJECTIONS=worker: the thread that runs the projections, reactions, timers and webhook delivery.
      providers: [ProjectorWorker, { provide: RequestLog, useValue: requestLog }],
    };
  }
}
