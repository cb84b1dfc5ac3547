import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ForbiddenError, NotFoundError } from '../../event-store/errors.js';
import type { StoredEvent } from '../../event-store/event.js';
import { EventStore } from '../../event-store/event-store.js';
import { CurrentCaller, Public, type AuthenticatedRequest, type Caller } from '../../http/auth.js';
import { ApiAction } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import type { OrderPlaced } from '../orders/order.events.js';
import { LIVE_SETTINGS, type LiveSettings } from './live-settings.js';
import { LiveLog } from './live-log.js';
import { lastEventId, liveCaller, openStream, sendEvent } from './live-request.js';
import { ApiEventStream } from './live.openapi.js';
import { OrderLiveQueryDto, StreamTicketDto } from './live.dto.js';
import { StreamTickets } from './stream-tickets.js';

/** An order's live stream, and the tickets for clients that cannot send headers (shared/spec/api.md, Live streams). */
@ApiTags('orders')
@Controller()
export class LiveController {
  constructor(
    private readonly store: EventStore,
    private readonly log: LiveLog,
    private readonly tickets: StreamTickets,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
  ) {}

  @Post('stream-tickets')
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
  @ApiEventStream({ operationId: 'streamOrder', summary: "An order's events, live", description: "The order's history, oldest first, then each new event as it is appended.", admin: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The order')
  async order(@Param('id', UuidParamPipe) id: string, @Query() query: OrderLiveQueryDto, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await liveCaller(request, query.ticket, this.tickets);
    if (!caller.isAdmin && !caller.roles.includes('customer')) throw new ForbiddenError('Requires role: customer or admin');
    const lastId = lastEventId(request);
    // Where the live tail starts is fixed before the history is read: every event after it is either in
    // the history (and skipped by version) or comes through the tail. Nothing falls in between.
    const tail = await this.log.end();
    const history = await this.store.readStream(id);
    const placed = history[0] as StoredEvent<OrderPlaced> | undefined;
    if (placed?.type !== 'OrderPlaced' || (!caller.isAdmin && placed.data.customerId !== caller.id)) throw new NotFoundError('Order not found');
    const writer = openStream(reply, this.settings);
    let version = 0;
    try {
      for (const event of history) {
        version = event.version;
        if (lastId !== undefined && BigInt(event.position) <= lastId) continue;
        if (!(await sendEvent(writer, event))) return;
      }
      const keep = (event: StoredEvent) => event.streamId === id && event.version > version;
      await this.log.follow(tail, keep, (event) => {
        version = event.version;
        return sendEvent(writer, event);
      }, writer);
    } finally {
      writer.end();
    }
  }
}
