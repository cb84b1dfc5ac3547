import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { ShippingMethodEvent, TaxRateEvent } from './shipping.events.js';
import { shippingMethods, taxRates, type ShippingMethodRow, type TaxRateRow } from './shipping.read-model.js';

export { SHIPPING_READ_MODEL, TAX_RATES_READ_MODEL } from './shipping.read-model.js';

/** Builds `shipping_methods_view` from its read model's declaration. */
@ProjectionProvider()
@Injectable()
export class ShippingProjection extends ReadModelProjection<ShippingMethodEvent, ShippingMethodRow> {
  constructor() {
    super(shippingMethods);
  }
}

/** Builds `tax_rates_view` from its read model's declaration. */
@ProjectionProvider()
@Injectable()
export class TaxRatesProjection extends ReadModelProjection<TaxRateEvent, TaxRateRow> {
  constructor() {
    super(taxRates);
  }
}
