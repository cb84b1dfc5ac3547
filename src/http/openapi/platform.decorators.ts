import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiHeaders, ApiOperation, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { HealthDto } from '../health.dto.js';
import { ApiErrors } from './api-errors.decorator.js';
import { ADMIN_TOKEN } from './api-operation.decorators.js';
import { EVERY_ANSWER_HEADERS, REQUEST_HEADERS } from './headers.js';

/** A public health check: the @nestjs/terminus body when healthy, the contract's error (503) when not. */
export function ApiHealth(operationId: string, summary: string, description: string, type: new () => object = HealthDto): MethodDecorator {
  return applyDecorators(
    ApiOperation({ operationId, summary, description: `Public. ${description}` }),
    ApiExtension('x-required-roles', []),
    ApiHeaders([REQUEST_HEADERS.requestId]),
    ApiResponse({ status: 200, type, description: 'Healthy', headers: EVERY_ANSWER_HEADERS }),
    ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'UNAVAILABLE'),
  );
}

/** Prometheus text; anonymous in development, a metrics or admin token in production. */
export function ApiMetrics(): MethodDecorator {
  return applyDecorators(
    ApiOperation({
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description: 'Public in development; in production it needs `METRICS_TOKEN` or an admin token.',
    }),
    ApiSecurity({}),
    ApiSecurity(ADMIN_TOKEN),
    ApiHeaders([REQUEST_HEADERS.requestId]),
    ApiResponse({
      status: 200,
      description: 'The Prometheus text exposition format',
      headers: EVERY_ANSWER_HEADERS,
      content: { 'text/plain': { schema: { type: 'string', maxLength: 10_000_000, example: 'http_request_duration_seconds_count{method="GET"} 1' } } },
    }),
    ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'),
  );
}
