import { Controller, Get, Header } from '@nestjs/common';
import { ApiExtension, ApiHeaders, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from './auth.js';
import { HealthDto } from './health.dto.js';
import { ApiErrors } from './openapi/api-errors.decorator.js';
import { ADMIN_TOKEN } from './openapi/api-operation.decorators.js';
import { EVERY_ANSWER_HEADERS, REQUEST_HEADERS } from './openapi/headers.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

@ApiTags('platform')
@ApiHeaders([REQUEST_HEADERS.requestId])
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
  @ApiOperation({ operationId: 'getHealth', summary: 'Readiness', description: 'Public. 200 once the database answers, 503 otherwise.' })
  @ApiExtension('x-required-roles', [])
  @ApiResponse({ status: 200, type: HealthDto, description: 'Ready', headers: EVERY_ANSWER_HEADERS })
  @ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'UNAVAILABLE')
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description: 'Public in development; in production it needs `METRICS_TOKEN` or an admin token.',
  })
  @ApiSecurity({})
  @ApiSecurity(ADMIN_TOKEN)
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The Prometheus text exposition format',
    headers: EVERY_ANSWER_HEADERS,
    content: { 'text/plain': { schema: { type: 'string', maxLength: 10_000_000, example: 'http_request_duration_seconds_count{method="GET"} 1' } } },
  })
  @ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
