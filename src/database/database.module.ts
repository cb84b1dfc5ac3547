import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PG_POOL } from './database.tokens.js';
import { migrations } from './migrations/index.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
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
            migrations,
            migrationsRun: true,
            poolSize: config.DATABASE_POOL_SIZE,
            // bigint positions stay strings: they can exceed Number.MAX_SAFE_INTEGER.
            extra: { application_name: 'eventshop' },
          }),
        }),
      ],
      providers: [
        {
          provide: PG_POOL,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => (dataSource.driver as unknown as { master: pg.Pool }).master,
        },
      ],
      exports: [PG_POOL],
    };
  }
}
