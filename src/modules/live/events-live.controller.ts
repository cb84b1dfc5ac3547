import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ForbiddenError } from '../../event-store/errors.js';
import { Public, type AuthenticatedRequest } from '../../http/auth.js';
import { LIVE_SETTINGS, type LiveSettings } from './live-settings.js';
import { LiveLog } from './live-log.js';
import { lastEventId, liveCaller, openStream, sendEvent } from './live-request.js';
import { ApiEventStream } from './live.openapi.js';
import { EventsLiveQueryDto } from './live.dto.js';
import { StreamTickets } from './stream-tickets.js';

/** The whole log, live (admin; shared/spec/api.md, Live streams). */
@ApiTags('admin')
@Controller('admin/events/live')
export class EventsLiveController {
  constructor(
    private readonly log: LiveLog,
    private readonly tickets: StreamTickets,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
  ) {}

  @Get()
  @Public()
  @ApiEventStream({ operationId: 'streamEvents', summary: 'The event log, live', description: 'Every event from `after` (or from now), optionally only of one `type`.', admin: true, errors: [] })
  async events(@Query() query: EventsLiveQueryDto, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const caller = await liveCaller(request, query.ticket, this.tickets);
    if (!caller.isAdmin) throw new ForbiddenError('Requires role: admin');
    const lastId = lastEventId(request);
    const after = lastId !== undefined ? lastId.toString() : query.after;
    const from = after === undefined ? await this.log.end() : await this.log.after(after);
    const writer = openStream(reply, this.settings);
    try {
      await this.log.follow(from, (event) => query.type === undefined || event.type === query.type, (event) => sendEvent(writer, event), writer);
    } finally {
      writer.end();
    }
  }
}
