import { Injectable } from '@nestjs/common';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import { catalog, type ProductRow } from './catalog.read-model.js';
import type { ProductEvent } from './product.events.js';

/** Builds `products_view` from the catalog read model's declaration. */
@ProjectionProvider()
@Injectable()
export class CatalogProjection extends ReadModelProjection<ProductEvent, ProductRow> {
  constructor() {
    super(catalog);
  }
}
