import { Module } from '@nestjs/common';
import { PoolMetrics } from './pool-metrics.js';

/** Domain-free metrics sources that belong to no other module. */
@Module({ providers: [PoolMetrics] })
export class ObservabilityModule {}
