import { BadRequestException, Controller, Get, Inject, Param, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ForbiddenError, NotFoundError } from '../../event-store/errors.js';
import type { StoredEvent } from '../../event-store/event.js';
import { EventStore } from '../../event-store/event-store.js';
import { CurrentCaller, Public, type AuthenticatedRequest, type Caller } from '../../http/auth.js';
import { toEventDto } from '../../http/event.dto.js';
import { ApiAction } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import type { OrderPlaced } from '../orders/order.events.js';
import { LIVE_SETTINGS, type LiveSettings } from './live-settings.js';
import { LiveLog } from './live-log.js';
import { ApiEventStream } from './live.openapi.js';
import { EventsLiveQueryDto, isLogPosition, OrderLiveQueryDto, StreamTicketDto } from './live.dto.js';
import { SseWriter } from './sse-writer.js';
import { StreamTickets } from './stream-tickets.js';

/**
 * Live streams (shared/spec/api.md, Live streams). The stream routes are @Public() for the guard only:
 * they take a bearer token (which the guard has checked and set as the caller) or a single-use ticket,
 * and check the role themselves.
 */
@Controller()
export class LiveController {
  constructor(
    private readonly store: EventStore,
    private readonly log: LiveLog,
    private readonly tickets: StreamTickets,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
  ) {}

  @Post('stream-tickets')
  @ApiTags('orders')
  @ApiAction({
    operationId: 'createStreamTicket',
    summary: 'A ticket for a live stream',
    description: "Single use, valid 60 s: a live route accepts `?ticket=` instead of `Authorization`, for clients that cannot send headers (a browser's EventSource).",
    access: 'customer',
    status: 201,
    type: StreamTicketDto,
  })
  ticket(@CurrentCaller() caller: Caller): Promise<StreamTicketDto> {
    return this.tickets.issue(caller);
  }

  @Get('orders/:id/live')
  @Public()
  @ApiTags('orders')
  @ApiEventStream({ operationId: 'streamOrder', summary: "An order's events, live", description: "The order's history, oldest first, then each new event as it is appended.", admin: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The order')
  async order(@Param('id', UuidParamPipe) id: string, @Query() query: OrderLiveQueryDto, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await this.callerOf(request, query.ticket);
    if (!caller.isAdmin && !caller.roles.includes('customer')) throw new ForbiddenError('Requires role: customer or admin');
    const lastId = lastEventId(request);
    // Where the live tail starts is fixed before the history is read: every event after it is either in
    // the history (and skipped by version) or comes through the tail. Nothing falls in between.
    const tail = await this.log.end();
    const history = await this.store.readStream(id);
    const placed = history[0] as StoredEvent<OrderPlaced> | undefined;
    if (placed?.type !== 'OrderPlaced' || (!caller.isAdmin && placed.data.customerId !== caller.id)) throw new NotFoundError('Order not found');
    const writer = this.open(reply);
    let version = 0;
    try {
      for (const event of history) {
        version = event.version;
        if (lastId !== undefined && BigInt(event.position) <= lastId) continue;
        if (!(await send(writer, event))) return;
      }
      await this.log.follow(tail, (event) => event.streamId === id && event.version > version, (event) => {
        version = event.version;
        return send(writer, event);
      }, writer);
    } finally {
      writer.end();
    }
  }

  @Get('admin/events/live')
  @Public()
  @ApiTags('admin')
  @ApiEventStream({ operationId: 'streamEvents', summary: 'The event log, live', description: 'Every event from `after` (or from now), optionally only of one `type`.', admin: true, errors: [] })
  async events(@Query() query: EventsLiveQueryDto, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await this.callerOf(request, query.ticket);
    if (!caller.isAdmin) throw new ForbiddenError('Requires role: admin');
    const lastId = lastEventId(request);
    const after = lastId !== undefined ? lastId.toString() : query.after;
    const from = after === undefined ? await this.log.end() : await this.log.after(after);
    const writer = this.open(reply);
    try {
      await this.log.follow(from, (event) => query.type === undefined || event.type === query.type, (event) => send(writer, event), writer);
    } finally {
      writer.end();
    }
  }

  private async callerOf(request: AuthenticatedRequest, ticket: string | undefined): Promise<Caller> {
    if (request.caller) return request.caller;
    const caller = ticket === undefined ? undefined : await this.tickets.redeem(ticket);
    if (!caller) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: ticket === undefined ? 'Missing or malformed bearer token' : 'Unknown, used or expired ticket' });
    return caller;
  }

  /** Takes the answer over from Nest (hooks' headers kept) and starts the stream. */
  private open(reply: FastifyReply): SseWriter {
    const headers = reply.getHeaders() as Record<string, string | number | string[]>;
    reply.hijack();
    return new SseWriter(reply.raw, headers, this.settings);
  }
}

function send(writer: SseWriter, event: StoredEvent): Promise<boolean> {
  return writer.event(event.position, event.type, JSON.stringify(toEventDto(event)));
}

/** The `Last-Event-ID` header: an event position we sent; anything else is a bad request. */
function lastEventId(request: AuthenticatedRequest): bigint | undefined {
  const value = request.headers['last-event-id'];
  if (value === undefined || value === '') return undefined;
  if (!isLogPosition(value)) {
    const message = 'Last-Event-ID must be the id of an event this stream sent (a log position)';
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message, details: [{ field: 'Last-Event-ID', message }] });
  }
  return BigInt(value);
}
