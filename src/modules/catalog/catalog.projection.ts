import { Injectable } from '@nestjs/common';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../database/bigint-number.transformer.js';
import type { StoredEvent } from '../../event-store/event.js';
import { int4Value, int8Value, textValue, timestampValue, uuidValue } from '../../projections/batch-values.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../projections/projection.js';
import { CATALOG_READ_MODEL, PRODUCTS_TABLE } from './catalog.public.js';
import type { ProductCreated, ProductUpdated, StockAdjusted, StockReleased, StockReserved, StockShipped } from './product.events.js';

/** One row per product, as the catalog's GETs answer it. */
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

/**
 * Builds `products_view`. Every handler but the creation only touches the row if the event is newer than
 * the row's version, so applying an event twice changes nothing. `applyBatch` does the same for a whole
 * batch: it loads the products the batch touches, folds the events in memory, and upserts what changed.
 */
@ProjectionProvider()
@Injectable()
export class CatalogProjection implements Projection {
  readonly name = CATALOG_READ_MODEL;
  readonly tables = [PRODUCTS_TABLE];

  readonly handlers: Projection['handlers'] = {
    ProductCreated: async (event, ctx) => {
      const { productId, sku, name, description, priceCents, stock } = event.data as ProductCreated['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('products_view')}
           (id, sku, name, description, price_cents, stock_on_hand, reserved, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)
         ON CONFLICT (id) DO NOTHING`,
        [productId, sku, name, description, priceCents, stock, event.version, event.occurredAt],
      );
    },
    ProductUpdated: async (event, ctx) => {
      const { productId, name, description, priceCents } = event.data as ProductUpdated['data'];
      // The event holds only the fields that changed.
      await update(ctx, event, productId, 'name = coalesce($4, name), description = coalesce($5, description), price_cents = coalesce($6, price_cents)', [
        name ?? null,
        description ?? null,
        priceCents ?? null,
      ]);
    },
    StockAdjusted: async (event, ctx) => {
      const { productId, delta } = event.data as StockAdjusted['data'];
      await update(ctx, event, productId, 'stock_on_hand = stock_on_hand + $4', [delta]);
    },
    StockReserved: async (event, ctx) => {
      const { productId, quantity } = event.data as StockReserved['data'];
      await update(ctx, event, productId, 'reserved = reserved + $4', [quantity]);
    },
    StockReleased: async (event, ctx) => {
      const { productId, quantity } = event.data as StockReleased['data'];
      await update(ctx, event, productId, 'reserved = reserved - $4', [quantity]);
    },
    StockShipped: async (event, ctx) => {
      const { productId, quantity } = event.data as StockShipped['data'];
      await update(ctx, event, productId, 'stock_on_hand = stock_on_hand - $4, reserved = reserved - $4', [quantity]);
    },
  };

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    const products = await loadProducts(ctx, new Set(events.map((event) => uuidValue((event.data as { productId: unknown }).productId))));
    const changed = new Set<ProductRow>();
    for (const event of events) {
      const row = foldProductEvent(products, event);
      if (row) changed.add(row);
    }
    writeProducts(ctx, [...changed]);
  }
}

/** A products_view row as a batch folds it: bigints as bigint, `updated_at` the event's `occurredAt` once moved. */
interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_cents: number;
  stock_on_hand: bigint;
  reserved: bigint;
  version: number;
  updated_at: Date | string;
}

/** The rows of `ids` (lower case), as they stand in this transaction; a missing product maps to undefined. */
async function loadProducts(ctx: ProjectionContext, ids: ReadonlySet<string>): Promise<Map<string, ProductRow | undefined>> {
  const products = new Map<string, ProductRow | undefined>([...ids].map((id) => [id, undefined]));
  const { rows } = await ctx.client.query<Omit<ProductRow, 'stock_on_hand' | 'reserved'> & { stock_on_hand: string; reserved: string }>(
    `SELECT id, sku, name, description, price_cents, stock_on_hand, reserved, version, updated_at
     FROM ${ctx.table('products_view')} WHERE id = ANY($1::uuid[])`,
    [[...ids]],
  );
  for (const row of rows) products.set(row.id, { ...row, stock_on_hand: int8Value(row.stock_on_hand), reserved: int8Value(row.reserved) });
  return products;
}

/**
 * One event, by the handlers' rules (every value they would send is checked, whether or not it changes
 * anything): the row it created or moved, or undefined if it changed nothing.
 */
function foldProductEvent(products: Map<string, ProductRow | undefined>, event: StoredEvent): ProductRow | undefined {
  const id = uuidValue((event.data as { productId: unknown }).productId);
  const version = int4Value(event.version);
  const at = timestampValue(event.occurredAt);
  const current = products.get(id);
  if (event.type === 'ProductCreated') {
    const { sku, name, description, priceCents, stock } = event.data as ProductCreated['data'];
    const created: ProductRow = {
      id,
      sku: textValue(sku),
      name: textValue(name),
      description: textValue(description),
      price_cents: int4Value(priceCents),
      stock_on_hand: int8Value(stock),
      reserved: 0n,
      version,
      updated_at: at,
    };
    if (current) return undefined;
    products.set(id, created);
    return created;
  }
  const change = productChange(event);
  if (!current || current.version >= version) return undefined;
  change(current);
  current.version = version;
  current.updated_at = at;
  return current;
}

/** What an event after the creation does to the row, its values checked now. */
function productChange(event: StoredEvent): (row: ProductRow) => void {
  const optional = <T>(value: T | undefined | null, check: (v: unknown) => T): T | null => (value === undefined || value === null ? null : check(value));
  switch (event.type) {
    case 'ProductUpdated': {
      const data = event.data as ProductUpdated['data'];
      const name = optional(data.name, textValue);
      const description = optional(data.description, textValue);
      const priceCents = optional(data.priceCents, int4Value);
      return (row) => {
        row.name = name ?? row.name;
        row.description = description ?? row.description;
        row.price_cents = priceCents ?? row.price_cents;
      };
    }
    case 'StockAdjusted': {
      const delta = int8Value((event.data as StockAdjusted['data']).delta);
      return (row) => {
        row.stock_on_hand = int8Value(row.stock_on_hand + delta);
      };
    }
    case 'StockReserved': {
      const quantity = int8Value((event.data as StockReserved['data']).quantity);
      return (row) => {
        row.reserved = int8Value(row.reserved + quantity);
      };
    }
    case 'StockReleased': {
      const quantity = int8Value((event.data as StockReleased['data']).quantity);
      return (row) => {
        row.reserved = int8Value(row.reserved - quantity);
      };
    }
    case 'StockShipped': {
      const quantity = int8Value((event.data as StockShipped['data']).quantity);
      return (row) => {
        row.stock_on_hand = int8Value(row.stock_on_hand - quantity);
        row.reserved = int8Value(row.reserved - quantity);
      };
    }
    default:
      throw new Error(`the catalog projection has no rule for ${event.type}`);
  }
}

function writeProducts(ctx: ProjectionContext, rows: readonly ProductRow[]): void {
  if (rows.length === 0) return;
  ctx.defer(
    `INSERT INTO ${ctx.table('products_view')} (id, sku, name, description, price_cents, stock_on_hand, reserved, version, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::int[], $9::timestamptz[])
     ON CONFLICT (id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name, description = EXCLUDED.description,
       price_cents = EXCLUDED.price_cents, stock_on_hand = EXCLUDED.stock_on_hand, reserved = EXCLUDED.reserved,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.sku),
      rows.map((r) => r.name),
      rows.map((r) => r.description),
      rows.map((r) => r.price_cents),
      rows.map((r) => r.stock_on_hand.toString()),
      rows.map((r) => r.reserved.toString()),
      rows.map((r) => r.version),
      rows.map((r) => r.updated_at),
    ],
  );
}

/** Applies `set` (whose parameters start at $4) to the product's row if `event` is newer than the row. */
async function update(ctx: ProjectionContext, event: StoredEvent, productId: string, set: string, params: unknown[]): Promise<void> {
  await ctx.client.query(
    `UPDATE ${ctx.table('products_view')} SET ${set}, version = $2, updated_at = $3
     WHERE id = $1 AND version < $2`,
    [productId, event.version, event.occurredAt, ...params],
  );
}
