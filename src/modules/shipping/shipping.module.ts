import { Module } from '@nestjs/common';
import { ShippingController } from './shipping.controller.js';
import { shippingCommandHandlers } from './shipping.handlers.js';
import { ShippingProjection } from './shipping.projection.js';
import { ShippingQueries } from './shipping-queries.js';
import { ShippingQueriesController } from './shipping.queries.controller.js';

@Module({
  controllers: [ShippingController, ShippingQueriesController],
  providers: [...shippingCommandHandlers, ShippingProjection, ShippingQueries],
})
export class ShippingModule {}
