import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { logConnectionLoss, ResilientClient } from './connection-loss.js';
import { PG_POOL } from './database.tokens.js';
import { migrationsOf, type MigrationClass } from './module-migrations.js';
import { ReadModelDb } from './read-model-db.js';

/**
 * How long a query waits for a pooled connection (a free one, or a new one opened) before it fails: while
 * the database is down, restarting, or every connection is busy, a request answers 503 UNAVAILABLE
 * within about this long (see isConnectionError) instead of hanging. Well above what opening a
 * connection takes on a loaded machine (tens of milliseconds).
 */
export const POOL_ACQUIRE_TIMEOUT_MS = 1_500;

@Global()
@Module({})
export class DatabaseModule {
  /** `migrations`: the kernel's and the domain modules' (migrationsOf); the kernel's alone by default. */
  static forRoot(migrations: readonly MigrationClass[] = migrationsOf([])): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            type: 'postgres',
            url: config.DATABASE_URL,
            autoLoadEntities: true,
            synchronize: false,
            migrations: [...migrations],
            migrationsRun: true,
            poolSize: config.DATABASE_POOL_SIZE,
            connectTimeoutMS: POOL_ACQUIRE_TIMEOUT_MS,
            poolErrorHandler: logConnectionLoss,
            // bigint positions stay strings: they can exceed Number.MAX_SAFE_INTEGER.
            // ResilientClient: a cut connection never crashes the process. Pools made from this one's options
            // (the projections') inherit it, the acquire timeout and the idle timeout. keepAlive: a server
            // that vanished without closing its sockets is noticed rather than waited on. idleTimeoutMillis:
            // see DATABASE_POOL_IDLE_TIMEOUT_MS (pg's default of 10 s made every burst after a lull open new ones).
            extra: { application_name: 'eventshop', Client: ResilientClient, keepAlive: true, idleTimeoutMillis: config.DATABASE_POOL_IDLE_TIMEOUT_MS },
          }),
        }),
      ],
      providers: [
        {
          provide: PG_POOL,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => (dataSource.driver as unknown as { master: pg.Pool }).master,
        },
        ReadModelDb,
      ],
      exports: [PG_POOL, ReadModelDb],
    };
  }
}
