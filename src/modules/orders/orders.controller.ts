import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { NotFoundError } from '../../event-store/errors.js';
import type { StoredEvent } from '../../event-store/event.js';
import { EventStore, type ReadStreamOptions } from '../../event-store/event-store.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto, EmptyBodyDto } from '../../http/command-result.dto.js';
import { EventDto, toEventDto } from '../../http/event.dto.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import type { OrderCommand } from './order.decider.js';
import type { OrderEvent, OrderPlaced } from './order.events.js';
import { orderFromHistory, type OrderView } from './order.view.js';
import { CancelOrderDto, OrderAtQueryDto, PayOrderDto, ShipOrderDto } from './orders.dto.js';
import { ChangeOrderCommand } from './orders.handlers.js';
import { OrderDto } from './orders.query.dto.js';
import { OrderQueries } from './order-summary.projection.js';
import { UsesReadModels } from '../../projections/projection.js';

@ApiTags('orders')
@ApiBearerAuth()
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
  @ApiOkResponse({ type: OrderDto })
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
  @ApiOkResponse({ type: [EventDto], description: "The order's whole history, oldest first" })
  async events(@Param('id', UuidParamPipe) id: string, @CurrentCaller() caller: Caller): Promise<EventDto[]> {
    return (await this.history(id, caller)).map(toEventDto);
  }

  @Post(':id/pay')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto, description: '409 PAYMENT_AMOUNT_MISMATCH unless it equals totalCents; 409 ORDER_NOT_PAYABLE unless placed' })
  pay(@Param('id', UuidParamPipe) orderId: string, @Body() body: PayOrderDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'PayOrder', orderId, ...body, paidAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/ship')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: CommandResultDto, description: '409 ORDER_NOT_SHIPPABLE unless paid' })
  ship(@Param('id', UuidParamPipe) orderId: string, @Body() body: ShipOrderDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'ShipOrder', orderId, ...body, shippedAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: CommandResultDto, description: '409 ORDER_NOT_DELIVERABLE unless shipped' })
  deliver(@Param('id', UuidParamPipe) orderId: string, @Body() _body: EmptyBodyDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext) {
    return this.run({ type: 'DeliverOrder', orderId, deliveredAt: now(), actor: actor(caller) }, ctx);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto, description: 'Releases the reserved stock; 409 ORDER_NOT_CANCELLABLE once shipped' })
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
  private async history(id: string, caller: Caller, options: ReadStreamOptions = {}): Promise<StoredEvent<OrderEvent>[]> {
    const events = (await this.store.readStream(id, options)) as StoredEvent<OrderEvent>[];
    const placed = events[0];
    if (placed?.type !== 'OrderPlaced' || (!caller.isAdmin && (placed.data as OrderPlaced['data']).customerId !== caller.id)) throw new NotFoundError('Order not found');
    return events;
  }
}

const now = () => new Date().toISOString();
const actor = (caller: Caller) => ({ customerId: caller.id, isAdmin: caller.isAdmin });
