import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiHeaders, ApiOperation, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../../http/openapi/api-errors.decorator.js';
import { ADMIN_TOKEN, CUSTOMER_TOKEN } from '../../http/openapi/api-operation.decorators.js';
import type { ErrorCode } from '../../http/openapi/error-codes.js';
import { EVERY_ANSWER_HEADERS, PRIVATE_ANSWER_HEADERS, REQUEST_HEADERS } from '../../http/openapi/headers.js';

const STREAM_DESCRIPTION =
  'Each message has `id: <position>`, `event: <type>` and `data: <Event JSON>`, in log order; a `: ping` comment goes out every 15 s. ' +
  'A reconnecting client sends `Last-Event-ID` and gets exactly the events it missed, then the live tail. ' +
  'Authenticate with `Authorization` or, where headers cannot be sent (a browser\'s EventSource), with `?ticket=` from `POST /stream-tickets`. ' +
  'A client that stops reading is disconnected.';

/** A live stream (server-sent events): `text/event-stream`, with a bearer token or a ticket. */
export function ApiEventStream(spec: { operationId: string; summary: string; description: string; admin: boolean; errors: ErrorCode[] }): MethodDecorator {
  return applyDecorators(
    ApiOperation({ operationId: spec.operationId, summary: spec.summary, description: `${spec.admin ? 'Admin only.' : 'The owner, or an admin.'} ${spec.description} ${STREAM_DESCRIPTION}` }),
    // A token, or none at all when `?ticket=` stands for it.
    ...(spec.admin ? [] : [ApiSecurity({ [CUSTOMER_TOKEN]: [] })]),
    ApiSecurity({ [ADMIN_TOKEN]: [] }),
    ApiSecurity({}),
    ApiExtension('x-required-roles', spec.admin ? ['admin'] : ['customer', 'admin']),
    ApiHeaders([
      REQUEST_HEADERS.requestId,
      { name: 'Last-Event-ID', required: false, description: 'The `id` of the last event received: resume right after it', schema: { type: 'string', maxLength: 19, pattern: '^[0-9]{1,19}$' } },
    ]),
    ApiResponse({
      status: 200,
      description: 'The stream, until the client leaves',
      headers: { ...EVERY_ANSWER_HEADERS, ...PRIVATE_ANSWER_HEADERS },
      content: { 'text/event-stream': { schema: { type: 'string', maxLength: 9_007_199_254_740_991, example: 'id: 42\nevent: OrderPaid\ndata: {"position":"42","type":"OrderPaid",...}\n\n' } } },
    }),
    ApiErrors(...spec.errors, 'VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'UNAVAILABLE'),
  );
}
