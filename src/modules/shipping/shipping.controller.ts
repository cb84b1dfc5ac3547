import { BadRequestException, Body, Controller, Param, Patch, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { isISO31661Alpha2 } from 'class-validator';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { Roles } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto } from '../../http/command-result.dto.js';
import { ApiCommand } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { COUNTRY } from '../../http/openapi/schemas.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { CreateShippingMethodDto, SetTaxRateDto, UpdateShippingMethodDto } from './shipping.dto.js';
import { CreateShippingMethodCommand, SetTaxRateCommand, UpdateShippingMethodCommand } from './shipping.handlers.js';

const METHOD_EXAMPLE = { code: 'STANDARD', name: 'Standard (3-5 days)', priceCents: 499, freeOverCents: 5000, countries: ['GB', 'FR'] };

/** Admin commands on shipping methods and tax rates. */
@ApiTags('shipping')
@Roles('admin')
@Controller()
export class ShippingController {
  constructor(private readonly commands: CommandBus) {}

  @Post('shipping-methods')
  @ApiCommand({
    method: 'POST',
    operationId: 'createShippingMethod',
    summary: 'Create a shipping method',
    description: "A flat price per order, free when the subtotal after discount reaches `freeOverCents`. `version` is the shop's list of methods' version.",
    access: 'admin',
    status: 201,
    type: CommandResultDto,
    body: { type: CreateShippingMethodDto, examples: { standard: { summary: 'A method', value: METHOD_EXAMPLE } } },
    errors: ['CODE_TAKEN', 'SHIPPING_METHODS_FULL'],
  })
  create(@Body() body: CreateShippingMethodDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new CreateShippingMethodCommand(body, ctx));
  }

  @Patch('shipping-methods/:id')
  @ApiCommand({
    method: 'PATCH',
    operationId: 'updateShippingMethod',
    summary: 'Change a shipping method',
    description: 'Any of its fields; `freeOverCents: null` clears the threshold, `active: false` stops offering it. Placed orders keep what they were placed with.',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: UpdateShippingMethodDto, examples: { price: { summary: 'A new price', value: { priceCents: 599 } }, off: { summary: 'Withdraw it', value: { active: false } } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The shipping method')
  update(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateShippingMethodDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new UpdateShippingMethodCommand(id, body, ctx));
  }

  @Put('tax-rates/:country')
  @ApiCommand({
    method: 'PUT',
    operationId: 'setTaxRate',
    summary: "Set a country's tax rate",
    description: 'In basis points (2000 is 20%). The answer names the tax-rate list and its version.',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: SetTaxRateDto, examples: { vat: { summary: '20%', value: { rateBasisPoints: 2000 } } } },
  })
  @ApiParam({ name: 'country', description: 'ISO 3166-1 alpha-2 (any case)', schema: { ...COUNTRY } as object })
  setTaxRate(@Param('country') country: string, @Body() body: SetTaxRateDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    if (!isISO31661Alpha2(country)) {
      const message = 'country must be an ISO 3166-1 alpha-2 code';
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message, details: [{ field: 'country', message }] });
    }
    return this.commands.execute(new SetTaxRateCommand(country, body.rateBasisPoints, ctx));
  }
}
