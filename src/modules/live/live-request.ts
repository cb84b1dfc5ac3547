import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { StoredEvent } from '../../event-store/event.js';
import type { AuthenticatedRequest, Caller } from '../../http/auth.js';
import { toEventDto } from '../../http/event.dto.js';
import { isLogPosition } from './live.dto.js';
import { SseWriter, type SseOptions } from './sse-writer.js';
import type { StreamTickets } from './stream-tickets.js';

/**
 * Who opens a live stream: the bearer token's caller (the routes are @Public() for the guard only, which
 * has checked a token if one was sent), else the caller a single-use ticket stands for; else 401.
 */
export async function liveCaller(request: AuthenticatedRequest, ticket: string | undefined, tickets: StreamTickets): Promise<Caller> {
  if (request.caller) return request.caller;
  const caller = ticket === undefined ? undefined : await tickets.redeem(ticket);
  if (!caller) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: ticket === undefined ? 'Missing or malformed bearer token' : 'Unknown, used or expired ticket' });
  return caller;
}

/** Takes the answer over from Nest (the hooks' headers kept) and starts the stream. */
export function openStream(reply: FastifyReply, options: SseOptions): SseWriter {
  const headers = reply.getHeaders() as Record<string, string | number | string[]>;
  reply.hijack();
  return new SseWriter(reply.raw, headers, options);
}

export function sendEvent(writer: SseWriter, event: StoredEvent): Promise<boolean> {
  return writer.event(event.position, event.type, JSON.stringify(toEventDto(event)));
}

/** The `Last-Event-ID` header: an event position we sent; anything else is a bad request. */
export function lastEventId(request: AuthenticatedRequest): bigint | undefined {
  const value = request.headers['last-event-id'];
  if (value === undefined || value === '') return undefined;
  if (!isLogPosition(value)) {
    const message = 'Last-Event-ID must be the id of an event this stream sent (a log position)';
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message, details: [{ field: 'Last-Event-ID', message }] });
  }
  return BigInt(value);
}
