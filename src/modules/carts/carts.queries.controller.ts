import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../event-store/errors.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { CartQueries } from './carts.projection.js';
import { CartDto } from './carts.query.dto.js';

@ApiTags('carts')
@ApiBearerAuth()
@Roles('customer')
@Controller('carts')
export class CartsQueriesController {
  constructor(private readonly carts: CartQueries) {}

  @Get(':id')
  @UsesReadModels('carts', 'catalog')
  @ApiOkResponse({ type: CartDto })
  @ApiNotFoundResponse({ description: "No such cart, or not the caller's" })
  async get(@Param('id', UuidParamPipe) id: string, @CurrentCaller() caller: Caller): Promise<CartDto> {
    const cart = await this.carts.findCart(id);
    // Another customer's cart answers as a missing one: its existence is not revealed.
    if (!cart || cart.customerId !== caller.id) throw new NotFoundError('Cart not found');
    return cart;
  }
}
