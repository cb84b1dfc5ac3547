import { Injectable } from '@nestjs/common';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../database/bigint-number.transformer.js';
import { ProjectionProvider } from '../../projections/projection.js';
import { ReadModelProjection } from '../../projections/read-model-projection.js';
import { PRODUCTS_TABLE } from './catalog.public.js';
import { catalog, type ProductRow } from './catalog.read-model.js';
import type { ProductEvent } from './product.events.js';

/**
 * products_view as CatalogQueries reads it through TypeORM. The read model itself is declared in
 * catalog.read-model.ts; this class goes once the queries read through that declaration.
 */
@Entity(PRODUCTS_TABLE)
export class ProductView {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  sku: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  @Column('integer', { name: 'price_cents' })
  priceCents: number;

  @Column('bigint', { name: 'stock_on_hand', transformer: bigintAsNumber })
  stockOnHand: number;

  /** Set aside by open (placed or paid) orders. */
  @Column('bigint', { transformer: bigintAsNumber })
  reserved: number;

  /** The product stream's version after the last applied event. */
  @Column('integer')
  version: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

/** Builds `products_view` from the catalog read model's declaration. */
@ProjectionProvider()
@Injectable()
export class CatalogProjection extends ReadModelProjection<ProductEvent, ProductRow> {
  constructor() {
    super(catalog);
  }
}
