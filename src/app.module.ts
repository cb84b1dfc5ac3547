import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventStoreModule } from './event-store/event-store.module.js';
import { HttpModule } from './http/http.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { CartsModule } from './modules/carts/carts.module.js';
import { CatalogModule } from './modules/catalog/catalog.module.js';
import { OrdersModule } from './modules/orders/orders.module.js';
import { ReportsModule } from './modules/reports/reports.module.js';
import { ProjectionsModule } from './projections/projections.module.js';

/** The domain modules. A new module is one line here. */
const domainModules = [CatalogModule, CartsModule, OrdersModule, ReportsModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? crypto.randomUUID(),
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
        DatabaseModule.forRoot(),
        CqrsModule.forRoot(),
        EventStoreModule,
        HttpModule,
        ObservabilityModule,
        ProjectionsModule,
        ...domainModules,
      ],
    };
  }
}
