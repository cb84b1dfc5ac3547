import { Body, Controller, Delete, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto, EmptyBodyDto } from '../../http/command-result.dto.js';
import { ApiCommand } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { AddItemDto, ApplyDiscountDto, CheckoutDto, CheckoutResultDto, SetItemQuantityDto } from './carts.dto.js';
import { ApplyDiscountCommand, ChangeCartCommand, CheckoutCommand } from './carts.handlers.js';

/** Cart commands. A customer only ever acts on its own carts; another's cart answers 404. */
@ApiTags('carts')
@Roles('customer')
@Controller('carts')
export class CartsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    method: 'POST',
    operationId: 'createCart',
    summary: 'Open a cart',
    description: 'The caller owns the new cart. The body is optional; if sent, it is `{}`.',
    access: 'customer',
    status: 201,
    type: CommandResultDto,
    body: { type: EmptyBodyDto, required: false, examples: { empty: { summary: 'No properties', value: {} } } },
    example: { id: '9b2f0d8e-3c1a-4f5e-8d7c-6b5a4f3e2d1c', version: 1, position: '43' },
  })
  create(@Body() _body: EmptyBodyDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    const command = { type: 'CreateCart' as const, cartId: randomUUID(), actor: { customerId: caller.id } };
    return this.commands.execute(new ChangeCartCommand(command, ctx));
  }

  @Post(':id/items')
  @HttpCode(200)
  @ApiCommand({
    method: 'POST',
    operationId: 'addCartItem',
    summary: 'Add a product to a cart',
    description: 'Adds to the line if the product is already in the cart; 404 for an unknown product.',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    body: { type: AddItemDto, examples: { twoMugs: { summary: 'Two of a product', value: { productId: '0f8fad5b-d9cb-469f-a165-70867728950e', quantity: 2 } } } },
    example: { id: '9b2f0d8e-3c1a-4f5e-8d7c-6b5a4f3e2d1c', version: 2, position: '44' },
    errors: ['NOT_FOUND', 'CART_CHECKED_OUT', 'LINE_QUANTITY_EXCEEDED', 'CART_FULL'],
  })
  @ApiUuidParam('id', 'The cart')
  addItem(
    @Param('id', UuidParamPipe) cartId: string,
    @Body() body: AddItemDto,
    @CurrentCaller() caller: Caller,
    @CommandCtx() ctx: CommandContext,
  ): Promise<CommandResult> {
    const command = { type: 'AddItem' as const, cartId, productId: body.productId.toLowerCase(), quantity: body.quantity, actor: { customerId: caller.id } };
    return this.commands.execute(new ChangeCartCommand(command, ctx));
  }

  @Put(':id/items/:productId')
  @ApiCommand({
    method: 'PUT',
    operationId: 'setCartItemQuantity',
    summary: "Set a cart line's quantity",
    description: '0 removes the line; a product not yet in the cart is added.',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    body: { type: SetItemQuantityDto, examples: { three: { summary: 'Three of it', value: { quantity: 3 } } } },
    errors: ['NOT_FOUND', 'CART_CHECKED_OUT', 'LINE_QUANTITY_EXCEEDED', 'CART_FULL'],
  })
  @ApiUuidParam('id', 'The cart')
  @ApiUuidParam('productId', 'The product')
  setQuantity(
    @Param('id', UuidParamPipe) cartId: string,
    @Param('productId', UuidParamPipe) productId: string,
    @Body() body: SetItemQuantityDto,
    @CurrentCaller() caller: Caller,
    @CommandCtx() ctx: CommandContext,
  ): Promise<CommandResult> {
    const command = { type: 'SetItemQuantity' as const, cartId, productId, quantity: body.quantity, actor: { customerId: caller.id } };
    return this.commands.execute(new ChangeCartCommand(command, ctx));
  }

  @Delete(':id/items/:productId')
  @ApiCommand({
    method: 'DELETE',
    operationId: 'removeCartItem',
    summary: 'Remove a line from a cart',
    description: '404 if the line is not in the cart.',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    errors: ['NOT_FOUND', 'CART_CHECKED_OUT'],
  })
  @ApiUuidParam('id', 'The cart')
  @ApiUuidParam('productId', 'The product')
  removeItem(
    @Param('id', UuidParamPipe) cartId: string,
    @Param('productId', UuidParamPipe) productId: string,
    @CurrentCaller() caller: Caller,
    @CommandCtx() ctx: CommandContext,
  ): Promise<CommandResult> {
    const command = { type: 'RemoveItem' as const, cartId, productId, actor: { customerId: caller.id } };
    return this.commands.execute(new ChangeCartCommand(command, ctx));
  }

  @Post(':id/checkout')
  @ApiCommand({
    method: 'POST',
    operationId: 'checkoutCart',
    summary: 'Check out a cart: place its order',
    description:
      'Places the order at current catalog prices with its shipping, tax and discount, reserves the stock, redeems the code and closes the cart in one atomic append. ' +
      '409 INSUFFICIENT_STOCK names every short product in `details`; 409 DISCOUNT_NOT_APPLICABLE says why the code stopped applying.',
    access: 'customer',
    status: 201,
    type: CheckoutResultDto,
    body: {
      type: CheckoutDto,
      examples: {
        london: {
          summary: 'A shipping address',
          value: {
            shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
            shippingMethodId: '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
          },
        },
      },
    },
    example: { id: 'c56a4180-65aa-42ec-a945-5fd21dec0538', cartId: '9b2f0d8e-3c1a-4f5e-8d7c-6b5a4f3e2d1c', version: 1, position: '47' },
    errors: ['NOT_FOUND', 'CART_EMPTY', 'CART_CHECKED_OUT', 'INSUFFICIENT_STOCK', 'SHIPPING_METHOD_NOT_AVAILABLE', 'DISCOUNT_NOT_APPLICABLE'],
  })
  @ApiUuidParam('id', 'The cart')
  checkout(@Param('id', UuidParamPipe) cartId: string, @Body() body: CheckoutDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CheckoutCommand(cartId, body.shippingAddress, body.shippingMethodId?.toLowerCase(), ctx));
  }

  @Put(':id/discount')
  @ApiCommand({
    method: 'PUT',
    operationId: 'applyCartDiscount',
    summary: 'Put a discount code on a cart',
    description: 'Replaces any code the cart holds. 404 for an unknown code; 409 DISCOUNT_NOT_APPLICABLE says why it does not apply now (checkout checks it again).',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    body: { type: ApplyDiscountDto, examples: { spring: { summary: 'A code', value: { code: 'spring10' } } } },
    errors: ['NOT_FOUND', 'CART_CHECKED_OUT', 'DISCOUNT_NOT_APPLICABLE'],
  })
  @ApiUuidParam('id', 'The cart')
  applyDiscount(@Param('id', UuidParamPipe) cartId: string, @Body() body: ApplyDiscountDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new ApplyDiscountCommand(cartId, body.code, ctx));
  }

  @Delete(':id/discount')
  @ApiCommand({
    method: 'DELETE',
    operationId: 'removeCartDiscount',
    summary: "Take the discount code off a cart",
    description: 'Nothing changes if the cart holds none.',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    errors: ['NOT_FOUND', 'CART_CHECKED_OUT'],
  })
  @ApiUuidParam('id', 'The cart')
  removeDiscount(@Param('id', UuidParamPipe) cartId: string, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new ChangeCartCommand({ type: 'RemoveDiscount', cartId, actor: { customerId: caller.id } }, ctx));
  }
}
