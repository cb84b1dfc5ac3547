import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ForbiddenError } from '../../event-store/errors.js';
import { CurrentCaller, type Caller } from '../../http/auth.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { UsesReadModels } from '../../projections/projection.js';
import { OrderQueries, type OrderPage } from './order-queries.js';
import { OrderPageDto, OrdersQueryDto } from './orders.query.dto.js';

@ApiTags('orders')
@Controller('orders')
export class OrdersQueriesController {
  constructor(private readonly orders: OrderQueries) {}

  /** A customer lists its own orders; an admin lists everyone's, or one customer's with `customerId`. */
  @Get()
  @UsesReadModels('order-summary')
  @ApiRead({
    operationId: 'listOrders',
    summary: 'List orders, newest first',
    description: "A customer sees its own orders; an admin everyone's, or one customer's with `customerId`.",
    access: 'owner',
    type: OrderPageDto,
    readModels: true,
  })
  list(@Query() { customerId, ...filter }: OrdersQueryDto, @CurrentCaller() caller: Caller): Promise<OrderPage> {
    if (!caller.isAdmin && customerId !== undefined && customerId !== caller.id) {
      throw new ForbiddenError("Only an admin can list another customer's orders");
    }
    return this.orders.listOrders({ ...filter, customerId: caller.isAdmin ? customerId : caller.id });
  }
}
