import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from './auth.js';
import { ApiHealth, ApiMetrics } from './openapi/platform.decorators.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

@ApiTags('platform')
@Public()
@Controller()
export class PlatformController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  /** 200 once the database answers (migrations run before the app listens), 503 otherwise. */
  @Get('health')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiHealth('getHealth', 'Readiness', '200 once the database answers, 503 otherwise.')
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiMetrics()
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
