import { BadRequestException, createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CommandContext } from '../event-store/command-runner.js';
import type { AuthenticatedRequest } from './auth.js';
import { recordIdempotentResponse, type IdempotencyRecord } from './idempotency-record.js';

export type CommandRequest = AuthenticatedRequest & { idempotency?: IdempotencyRecord };

/**
 * The command's context from the request: the actor, the request id as correlation id, `If-Match` as
 * the expected version, and the recording of the idempotency record the guard prepared, which
 * the runner does in the append's transaction.
 */
export const CommandCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<CommandRequest>();
  if (!request.caller) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'Authentication required' });
  const idempotency = request.idempotency;
  return {
    actor: request.caller.id,
    // The request's id (see request-id.ts): the client's X-Request-Id when acceptable, the one the logs carry.
    correlationId: request.id,
    causationId: randomUUID(),
    expectedVersion: parseIfMatch(header(request, 'if-match')),
    inTransaction: idempotency ? (client, result) => recordIdempotentResponse(client, idempotency, result) : undefined,
  };
});

function header(request: CommandRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `If-Match: "3"` (the strong ETag form) or a bare `3`. */
function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value);
  if (!match) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'If-Match must be a version such as "3"' });
  return Number(match[1]);
}
