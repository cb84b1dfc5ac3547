import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import type { DiscountCodeEvent } from './discounts.events.js';
import { discountCodes, type DiscountCodeRow } from './discounts.read-model.js';

export { DISCOUNTS_READ_MODEL } from './discounts.public.js';

/** Builds `discount_codes_view` from its read model's declaration. */
@ProjectionProvider()
@Injectable()
export class DiscountsProjection extends ReadModelProjection<DiscountCodeEvent, DiscountCodeRow> {
  constructor() {
    super(discountCodes);
  }
}
