import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { NotFoundError } from '../../event-store/errors.js';
import type { StoredEventOf } from '../../event-store/event.js';
import { EventStore, type ReadStreamOptions } from '../../event-store/event-store.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto, EmptyBodyDto } from '../../http/command-result.dto.js';
import { EventDto, toEventDto } from '../../http/event.dto.js';
import { ApiCommand, ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import type { OrderCommand } from './order.decider.js';
import type { OrderEvent } from './order.events.js';
import { orderFromHistory, type OrderView } from './order.view.js';
import { CancelOrderDto, OrderAtQueryDto, PayOrderDto, ShipOrderDto } from './orders.dto.js';
import { ChangeOrderCommand } from './orders.handlers.js';
import { OrderDto } from './orders.query.dto.js';
import { OrderQueries } from './order-queries.js';
import { UsesReadModels } from '../../projections/projection.js';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: EventStore,
    private readonly orders: OrderQueries,
  ) {}

  /**
   * The order from its read model; with `asOf` or `version`, rebuilt from its own events up to that
   * point instead (time travel reads the log, never a read model).
   */
  @Get(':id')
  @UsesReadModels('order-summary')
  @ApiRead({
    operationId: 'getOrder',
    summary: 'Get an order',
    description: 'With `asOf` or `version`, the order as it was then, rebuilt from its own events.',
    access: 'owner',
    type: OrderDto,
    readModels: true,
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The order')
  async get(@Param('id', UuidParamPipe) id: string, @Query() query: OrderAtQueryDto, @CurrentCaller() caller: Caller): Promise<OrderView> {
    if (query.asOf === undefined && query.version === undefined) {
      const order = await this.orders.findOrder(id);
      if (!order || (!caller.isAdmin && order.customerId !== caller.id)) throw new NotFoundError('Order not found');
      return order;
    }
    const history = await this.history(id, caller, { asOf: query.asOf ? new Date(query.asOf) : undefined, toVersion: query.version });
    const order = orderFromHistory(history);
    if (!order) throw new NotFoundError('Order not found');
    return order;
  }

  @Get(':id/events')
  @ApiRead({ operationId: 'listOrderEvents', summary: "An order's events", description: 'Its whole history, oldest first.', access: 'owner', type: EventDto, maxItems: 100, readModels: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The order')
  async events(@Param('id', UuidParamPipe) id: string, @CurrentCaller() caller: Caller): Promise<EventDto[]> {
    return (await this.history(id, caller)).map(toEventDto);
  }

  @Post(':id/pay')
  @HttpCode(200)
  @ApiCommand({
    method: 'POST',
    operationId: 'payOrder',
    summary: 'Pay an order',
    description: "The amount must equal the order's totalCents, and the order must be placed.",
    access: 'owner',
    status: 200,
    type: CommandResultDto,
    body: { type: PayOrderDto, examples: { card: { summary: 'The whole total', value: { amountCents: 2598, paymentReference: 'psp-ch_3N1x' } } } },
    errors: ['NOT_FOUND', 'ORDER_NOT_PAYABLE', 'PAYMENT_AMOUNT_MISMATCH'],
  })
  @ApiUuidParam('id', 'The order')
  pay(@Param('id', UuidParamPipe) orderId: string, @Body() body: PayOrderDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'PayOrder', orderId, ...body, paidAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/ship')
  @HttpCode(200)
  @Roles('admin')
  @ApiCommand({
    method: 'POST',
    operationId: 'shipOrder',
    summary: 'Ship a paid order',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: ShipOrderDto, examples: { dhl: { summary: 'A parcel', value: { carrier: 'DHL', trackingNumber: 'JD014600006281230704' } } } },
    errors: ['NOT_FOUND', 'ORDER_NOT_SHIPPABLE'],
  })
  @ApiUuidParam('id', 'The order')
  ship(@Param('id', UuidParamPipe) orderId: string, @Body() body: ShipOrderDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'ShipOrder', orderId, ...body, shippedAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @Roles('admin')
  @ApiCommand({
    method: 'POST',
    operationId: 'deliverOrder',
    summary: 'Mark a shipped order delivered',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: EmptyBodyDto, examples: { empty: { summary: 'No properties', value: {} } } },
    errors: ['NOT_FOUND', 'ORDER_NOT_DELIVERABLE'],
  })
  @ApiUuidParam('id', 'The order')
  deliver(@Param('id', UuidParamPipe) orderId: string, @Body() _body: EmptyBodyDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'DeliverOrder', orderId, deliveredAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiCommand({
    method: 'POST',
    operationId: 'cancelOrder',
    summary: 'Cancel an order',
    description: 'Releases the reserved stock; refused once shipped.',
    access: 'owner',
    status: 200,
    type: CommandResultDto,
    body: { type: CancelOrderDto, examples: { reason: { summary: 'A reason', value: { reason: 'Ordered the wrong size' } } } },
    errors: ['NOT_FOUND', 'ORDER_NOT_CANCELLABLE'],
  })
  @ApiUuidParam('id', 'The order')
  cancel(@Param('id', UuidParamPipe) orderId: string, @Body() body: CancelOrderDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'CancelOrder', orderId, reason: body.reason, cancelledAt: now(), actor: actor(caller) }, ctx);
  }

  private run(command: OrderCommand, ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new ChangeOrderCommand(command, ctx));
  }

  /**
   * The order's events (up to a point in time or version), if the caller may see the order: owner or
   * admin. Otherwise, or if the order did not exist yet at that point, 404.
   */
  private async history(id: string, caller: Caller, options: ReadStreamOptions = {}): Promise<StoredEventOf<OrderEvent>[]> {
    // Any stream id may come in: only a stream that starts with OrderPlaced is an order (and holds only order events).
    const events = (await this.store.readStream(id, options)) as StoredEventOf<OrderEvent>[];
    const placed = events[0];
    if (placed?.type !== 'OrderPlaced' || (!caller.isAdmin && placed.data.customerId !== caller.id)) throw new NotFoundError('Order not found');
    return events;
  }
}

const now = () => new Date().toISOString();
const actor = (caller: Caller) => ({ customerId: caller.id, isAdmin: caller.isAdmin });
