import { Body, Controller, Delete, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { CurrentCaller, Roles, type Caller } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto, EmptyBodyDto } from '../../http/command-result.dto.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { AddItemDto, CheckoutDto, CheckoutResultDto, SetItemQuantityDto } from './carts.dto.js';
import { ChangeCartCommand, CheckoutCommand } from './carts.handlers.js';

/** Cart commands. A customer only ever acts on its own carts; another's cart answers 404. */
@ApiTags('carts')
@ApiBearerAuth()
@Roles('customer')
@Controller('carts')
export class CartsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCreatedResponse({ type: CommandResultDto, description: 'The caller owns the new cart' })
  create(@Body() _body: EmptyBodyDto, @CurrentCaller() caller: Caller, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    const command = { type: 'CreateCart' as const, cartId: randomUUID(), actor: { customerId: caller.id } };
    return this.commands.execute(new ChangeCartCommand(command, ctx));
  }

  @Post(':id/items')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto, description: 'Adds to the line if the product is already in the cart; 404 for an unknown product' })
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
  @ApiOkResponse({ type: CommandResultDto, description: 'Sets the line quantity; 0 removes the line' })
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
  @ApiOkResponse({ type: CommandResultDto, description: '404 if the line is not in the cart' })
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
  @ApiCreatedResponse({ type: CheckoutResultDto, description: '409 CART_EMPTY, CART_CHECKED_OUT or INSUFFICIENT_STOCK (details name the products)' })
  checkout(@Param('id', UuidParamPipe) cartId: string, @Body() body: CheckoutDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CheckoutCommand(cartId, body.shippingAddress, ctx));
  }
}
