import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { metricsRegistry } from '../observability/metrics.js';
import { Public, type AuthenticatedRequest } from './auth.js';
import { MetricsAccess } from './metrics-access.js';

@ApiTags('platform')
@Public()
@Controller()
export class PlatformController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metricsAccess: MetricsAccess,
  ) {}

  /** 200 once the database answers (migrations run before the app listens), 503 otherwise. */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(@Req() request: AuthenticatedRequest): Promise<string> {
    this.metricsAccess.check(request);
    return metricsRegistry.metrics();
  }
}
