import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import { trackPool } from './metrics.js';

/** Reports the service's main pg pool (PG_POOL) as `pool="main"` at each scrape. */
@Injectable()
export class PoolMetrics implements OnModuleInit, OnModuleDestroy {
  private untrack: (() => void) | undefined;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  onModuleInit(): void {
    this.untrack = trackPool('main', this.pool);
  }

  onModuleDestroy(): void {
    this.untrack?.();
  }
}
