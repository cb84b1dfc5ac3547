import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../event-store/errors.js';
import { Roles } from '../../http/auth.js';
import { ApiAction, ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.js';
import { refusedTarget } from './webhook-address.js';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpoints, type WebhookEndpoint } from './webhook-endpoints.js';
import { newWebhookSecret } from './webhook-signature.js';
import { CreatedWebhookDto, CreateWebhookDto, DeliveriesQueryDto, DeliveryPageDto, ReplayWebhookDto, UpdateWebhookDto, WebhookDto } from './webhooks.dto.js';

/** Endpoints listed at most (the list is not paged: a shop has a handful). */
const MAX_LISTED = 1000;

/** Webhook endpoints (admin): shared/spec/api.md, Webhooks. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpoints,
    private readonly deliveries: WebhookDeliveries,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
  ) {}

  @Post()
  @ApiAction({
    operationId: 'createWebhook',
    summary: 'Register a webhook endpoint',
    description: 'It receives the matching events appended from now on. The signing secret is shown only in this answer. A URL on a loopback or private address is refused unless `WEBHOOK_ALLOW_PRIVATE=true`.',
    access: 'admin',
    status: 201,
    type: CreatedWebhookDto,
    body: { type: CreateWebhookDto, examples: { orders: { summary: 'Order events', value: { url: 'https://hooks.example.com/eventshop', eventTypes: ['OrderPlaced', 'OrderPaid'] } } } },
  })
  async create(@Body() body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    await this.checkTarget(body.url);
    const endpoint = await this.endpoints.create({ id: randomUUID(), url: body.url, eventTypes: body.eventTypes, description: body.description ?? null, secret: newWebhookSecret() });
    await this.dispatcher.changed(endpoint.id);
    return { ...toWebhookDto(endpoint), secret: endpoint.secret };
  }

  @Get()
  @ApiRead({ operationId: 'listWebhooks', summary: 'List webhook endpoints', description: 'Oldest first (the first 1000).', access: 'admin', type: WebhookDto, maxItems: MAX_LISTED, readModels: false })
  async list(): Promise<WebhookDto[]> {
    return (await this.endpoints.list(MAX_LISTED)).map(toWebhookDto);
  }

  @Get(':id')
  @ApiRead({ operationId: 'getWebhook', summary: 'Get a webhook endpoint', access: 'admin', type: WebhookDto, readModels: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The endpoint')
  async get(@Param('id', UuidParamPipe) id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.found(this.endpoints.find(id)));
  }

  @Patch(':id')
  @ApiAction({
    operationId: 'updateWebhook',
    summary: 'Change a webhook endpoint',
    description: '`active: true` resumes a disabled endpoint exactly where it stopped (nothing was skipped).',
    access: 'admin',
    status: 200,
    type: WebhookDto,
    body: { type: UpdateWebhookDto, examples: { resume: { summary: 'Resume delivery', value: { active: true } } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The endpoint')
  async update(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateWebhookDto): Promise<WebhookDto> {
    if (body.url !== undefined) await this.checkTarget(body.url);
    const endpoint = await this.found(this.endpoints.update(id, body));
    await this.dispatcher.changed(id);
    return toWebhookDto(endpoint);
  }

  @Delete(':id')
  @ApiAction({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint', description: 'With its delivery log.', access: 'admin', status: 200, type: WebhookDto, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The endpoint')
  async remove(@Param('id', UuidParamPipe) id: string): Promise<WebhookDto> {
    const endpoint = await this.found(this.endpoints.delete(id));
    await this.dispatcher.changed(id);
    return toWebhookDto(endpoint);
  }

  @Get(':id/deliveries')
  @ApiRead({ operationId: 'listWebhookDeliveries', summary: "An endpoint's delivery attempts", description: 'Newest first.', access: 'admin', type: DeliveryPageDto, readModels: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The endpoint')
  async deliveriesOf(@Param('id', UuidParamPipe) id: string, @Query() query: DeliveriesQueryDto): Promise<DeliveryPageDto> {
    await this.found(this.endpoints.find(id));
    const before = query.cursor === undefined ? undefined : decodePageCursor(query.cursor, deliveryKey);
    const rows = await this.deliveries.list(id, { status: query.status, limit: query.limit + 1, before });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(({ id: _id, ...delivery }) => delivery),
      nextCursor: rows.length > query.limit ? encodePageCursor([page[page.length - 1].id]) : null,
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiAction({
    operationId: 'replayWebhook',
    summary: 'Deliver events again',
    description: 'Every matching event from `fromPosition` on is delivered again, in log order.',
    access: 'admin',
    status: 202,
    type: WebhookDto,
    body: { type: ReplayWebhookDto, examples: { all: { summary: 'From the start', value: { fromPosition: '0' } } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The endpoint')
  async replay(@Param('id', UuidParamPipe) id: string, @Body() body: ReplayWebhookDto): Promise<WebhookDto> {
    if (!(await this.endpoints.replay(id, body.fromPosition))) throw new NotFoundError('Webhook endpoint not found');
    await this.dispatcher.changed(id);
    return toWebhookDto(await this.found(this.endpoints.find(id)));
  }

  private async checkTarget(url: string): Promise<void> {
    const refused = await refusedTarget(new URL(url), this.settings.allowPrivate);
    if (refused) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: refused, details: [{ field: 'url', message: refused }] });
  }

  private async found(endpoint: Promise<WebhookEndpoint | undefined>): Promise<WebhookEndpoint> {
    const found = await endpoint;
    if (!found) throw new NotFoundError('Webhook endpoint not found');
    return found;
  }
}

/** A deliveries page cursor holds the id of the page's last row. */
function deliveryKey(keyset: unknown): string | undefined {
  const key = Array.isArray(keyset) ? keyset[0] : undefined;
  return typeof key === 'string' && /^\d{1,19}$/.test(key) ? key : undefined;
}

function toWebhookDto(endpoint: WebhookEndpoint): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: [...endpoint.eventTypes],
    description: endpoint.description,
    active: endpoint.status === 'active',
    status: endpoint.status,
    position: endpoint.checkpoint.position,
    failedAttempts: endpoint.attempts,
    ...(endpoint.lastError === null ? {} : { lastError: endpoint.lastError }),
    createdAt: endpoint.createdAt.toISOString(),
  };
}
