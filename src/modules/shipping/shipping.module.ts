import { Module } from '@nestjs/common';
import { ShippingReadModels1764190200000 } from './migrations/1764190200000-shipping-read-models.js';
import { ShippingController } from './shipping.controller.js';
import { shippingCommandHandlers } from './shipping.handlers.js';
import { ShippingCountriesJsonb1764500000000 } from './migrations/1764500000000-shipping-countries-jsonb.js';
import { ShippingProjection, TaxRatesProjection } from './shipping.projection.js';
import { ShippingQueries } from './shipping-queries.js';
import { ShippingQueriesController } from './shipping.queries.controller.js';

@Module({
  controllers: [ShippingController, ShippingQueriesController],
  providers: [...shippingCommandHandlers, ShippingProjection, TaxRatesProjection, ShippingQueries],
})
export class ShippingModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [ShippingReadModels1764190200000, ShippingCountriesJsonb1764500000000];
}
