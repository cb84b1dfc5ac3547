import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { Roles } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto, EmptyBodyDto } from '../../http/command-result.dto.js';
import { ApiCommand, ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { DiscountQueries } from './discount-queries.js';
import { CreateDiscountCodeDto, DiscountCodePageDto, DiscountCodesQueryDto } from './discounts.dto.js';
import { CreateDiscountCodeCommand, DeactivateDiscountCodeCommand } from './discounts.handlers.js';
import { DISCOUNTS_READ_MODEL } from './discounts.projection.js';

/** Discount codes, admin only. Customers use them through their carts. */
@ApiTags('discounts')
@Roles('admin')
@Controller('discount-codes')
export class DiscountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly discounts: DiscountQueries,
  ) {}

  @Post()
  @ApiCommand({
    method: 'POST',
    operationId: 'createDiscountCode',
    summary: 'Create a discount code',
    description: 'Percent or fixed, with an optional minimum subtotal, validity window and limits (total, and per customer: 1 by default).',
    access: 'admin',
    status: 201,
    type: CommandResultDto,
    body: {
      type: CreateDiscountCodeDto,
      examples: { spring: { summary: '10% off, 100 uses', value: { code: 'SPRING10', kind: 'percent', value: 10, minSubtotalCents: 2000, maxRedemptions: 100 } } },
    },
    errors: ['CODE_TAKEN'],
  })
  create(@Body() body: CreateDiscountCodeDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CreateDiscountCodeCommand(body, ctx));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiCommand({
    method: 'POST',
    operationId: 'deactivateDiscountCode',
    summary: 'Deactivate a discount code',
    description: 'Carts holding it can no longer check out with it; placed orders keep it.',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: EmptyBodyDto, required: false, examples: { empty: { summary: 'No properties', value: {} } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The discount code')
  deactivate(@Param('id', UuidParamPipe) id: string, @Body() _body: EmptyBodyDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new DeactivateDiscountCodeCommand(id, ctx));
  }

  @Get()
  @UsesReadModels(DISCOUNTS_READ_MODEL)
  @ApiRead({ operationId: 'listDiscountCodes', summary: 'List discount codes', description: 'By code, case-insensitively.', access: 'admin', type: DiscountCodePageDto, readModels: true })
  list(@Query() query: DiscountCodesQueryDto): Promise<DiscountCodePageDto> {
    return this.discounts.listCodes(query.limit, query.cursor);
  }
}
