import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { Roles } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto } from '../../http/command-result.dto.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { AdjustStockDto, CreateProductDto, UpdateProductDto } from './catalog.dto.js';
import { AdjustStockCommand, CreateProductCommand, UpdateProductCommand } from './catalog.handlers.js';

@ApiTags('catalog')
@ApiBearerAuth()
@Roles('admin')
@Controller('products')
export class CatalogController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCreatedResponse({ type: CommandResultDto, description: '409 SKU_TAKEN if the SKU exists' })
  create(@Body() body: CreateProductDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CreateProductCommand(body, ctx));
  }

  @Patch(':id')
  @ApiOkResponse({ type: CommandResultDto })
  update(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateProductDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new UpdateProductCommand(id, body, ctx));
  }

  @Post(':id/stock')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto, description: '409 INSUFFICIENT_STOCK if on-hand would go below what open orders reserve' })
  adjustStock(@Param('id', UuidParamPipe) id: string, @Body() body: AdjustStockDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new AdjustStockCommand(id, body, ctx));
  }
}
