import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { Roles } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto } from '../../http/command-result.dto.js';
import { ApiCommand } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { AdjustStockDto, CreateProductDto, UpdateProductDto } from './catalog.dto.js';
import { AdjustStockCommand, CreateProductCommand, UpdateProductCommand } from './catalog.handlers.js';

@ApiTags('catalog')
@Roles('admin')
@Controller('products')
export class CatalogController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    method: 'POST',
    operationId: 'createProduct',
    summary: 'Create a product',
    access: 'admin',
    status: 201,
    type: CommandResultDto,
    body: { type: CreateProductDto, examples: { mug: { summary: 'A product', value: { sku: 'MUG-RED', name: 'Red mug', description: 'Stoneware, 350 ml', priceCents: 1299, stock: 100 } } } },
    example: { id: '0f8fad5b-d9cb-469f-a165-70867728950e', version: 1, position: '42' },
    errors: ['SKU_TAKEN'],
  })
  create(@Body() body: CreateProductDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CreateProductCommand(body, ctx));
  }

  @Patch(':id')
  @ApiCommand({
    method: 'PATCH',
    operationId: 'updateProduct',
    summary: "Change a product's name, description or price",
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: UpdateProductDto, examples: { price: { summary: 'A new price', value: { priceCents: 1499 } } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The product')
  update(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateProductDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new UpdateProductCommand(id, body, ctx));
  }

  @Post(':id/stock')
  @HttpCode(200)
  @ApiCommand({
    method: 'POST',
    operationId: 'adjustProductStock',
    summary: 'Add or remove stock on hand',
    description: 'Refused (409 INSUFFICIENT_STOCK) if on-hand stock would go below what open orders reserve, or below 0.',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: AdjustStockDto, examples: { delivery: { summary: 'A delivery arrived', value: { delta: 25 } } } },
    errors: ['NOT_FOUND', 'INSUFFICIENT_STOCK'],
  })
  @ApiUuidParam('id', 'The product')
  adjustStock(@Param('id', UuidParamPipe) id: string, @Body() body: AdjustStockDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new AdjustStockCommand(id, body, ctx));
  }
}
