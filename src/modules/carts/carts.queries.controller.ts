import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../event-store/errors.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { CATALOG_READ_MODEL } from '../catalog/catalog.public.js';
import { DISCOUNTS_READ_MODEL } from '../discounts/discounts.public.js';
import { CartQueries } from './cart-queries.js';
import { CART_DISCOUNTS_READ_MODEL } from './cart-discounts.projection.js';
import { CartDto } from './carts.query.dto.js';

@ApiTags('carts')
@Roles('customer')
@Controller('carts')
export class CartsQueriesController {
  constructor(private readonly carts: CartQueries) {}

  @Get(':id')
  @UsesReadModels('carts', CATALOG_READ_MODEL, CART_DISCOUNTS_READ_MODEL, DISCOUNTS_READ_MODEL)
  @ApiRead({ operationId: 'getCart', summary: 'Get a cart', description: 'With current catalog prices while open.', access: 'customer', type: CartDto, readModels: true, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The cart')
  async get(@Param('id', UuidParamPipe) id: string, @CurrentCaller() caller: Caller): Promise<CartDto> {
    const cart = await this.carts.findCart(id);
    // Another customer's cart answers as a missing one: its existence is not revealed.
    if (!cart || cart.customerId !== caller.id) throw new NotFoundError('Cart not found');
    return cart;
  }
}
