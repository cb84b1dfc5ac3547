import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../http/auth.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { UsesReadModels } from '../../projections/projection.js';
import { ShippingQueries } from './shipping-queries.js';
import { SHIPPING_READ_MODEL, TAX_RATES_READ_MODEL } from './shipping.read-model.js';
import { ShippingMethodDto, ShippingMethodsQueryDto, TaxRateDto } from './shipping.dto.js';
import { MAX_SHIPPING_METHODS } from './shipping-methods.decider.js';

/** ISO 3166-1 has 249 alpha-2 codes: at most one rate each. */
const MAX_TAX_RATES = 250;

@ApiTags('shipping')
@Public()
@Controller()
export class ShippingQueriesController {
  constructor(private readonly shipping: ShippingQueries) {}

  @Get('shipping-methods')
  @UsesReadModels(SHIPPING_READ_MODEL)
  @ApiRead({
    operationId: 'listShippingMethods',
    summary: 'List shipping methods',
    description: 'By code. With `country`, only the active methods serving it.',
    access: 'public',
    type: ShippingMethodDto,
    maxItems: MAX_SHIPPING_METHODS,
    readModels: true,
  })
  methods(@Query() query: ShippingMethodsQueryDto): Promise<ShippingMethodDto[]> {
    return this.shipping.listMethods(query.country);
  }

  @Get('tax-rates')
  @UsesReadModels(TAX_RATES_READ_MODEL)
  @ApiRead({ operationId: 'listTaxRates', summary: 'List tax rates', description: 'By country.', access: 'public', type: TaxRateDto, maxItems: MAX_TAX_RATES, readModels: true })
  taxRates(): Promise<TaxRateDto[]> {
    return this.shipping.listTaxRates();
  }
}
