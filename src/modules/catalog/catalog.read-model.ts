import { unreachable } from '../../event-store/decider.js';
import { readModel } from '../../projections/read-model.js';
import { int4, int8, table, text, timestamp, uuid, type TableRow } from '../../projections/read-model-columns.js';
import { CATALOG_READ_MODEL, PRODUCTS_TABLE } from './catalog.public.js';
import type { ProductEvent } from './product.events.js';

/** One row per product, as the catalog's GETs answer it. */
export const productsView = table(PRODUCTS_TABLE, ['id'], {
  id: uuid(),
  sku: text(),
  name: text(),
  description: text(),
  priceCents: int4(),
  /** bigint: repeated adjustments have no upper bound the write side enforces. */
  stockOnHand: int8(),
  /** Set aside by open (placed or paid) orders. */
  reserved: int8(),
  /** The product stream's version after its last event. */
  version: int4(),
  /** The time of the product's last event. */
  updatedAt: timestamp(),
});

export type ProductRow = TableRow<typeof productsView>;

const byProduct = (event: { data: { productId: string } }) => event.data.productId;

export const catalog = readModel<ProductEvent, ProductRow>({
  name: CATALOG_READ_MODEL,
  table: productsView,
  keys: { ProductCreated: byProduct, ProductUpdated: byProduct, StockAdjusted: byProduct, StockReserved: byProduct, StockReleased: byProduct, StockShipped: byProduct },
  evolve(row, event) {
    const moved = { version: event.version, updatedAt: event.occurredAt };
    if (event.type === 'ProductCreated') {
      const { productId, sku, name, description, priceCents, stock } = event.data;
      return { id: productId, sku, name, description, priceCents, stockOnHand: BigInt(stock), reserved: 0n, ...moved };
    }
    if (!row) return null;
    switch (event.type) {
      case 'ProductUpdated': {
        // The event holds only the fields that changed.
        const { name, description, priceCents } = event.data;
        return { ...row, name: name ?? row.name, description: description ?? row.description, priceCents: priceCents ?? row.priceCents, ...moved };
      }
      case 'StockAdjusted':
        return { ...row, stockOnHand: row.stockOnHand + BigInt(event.data.delta), ...moved };
      case 'StockReserved':
        return { ...row, reserved: row.reserved + BigInt(event.data.quantity), ...moved };
      case 'StockReleased':
        return { ...row, reserved: row.reserved - BigInt(event.data.quantity), ...moved };
      case 'StockShipped': {
        const quantity = BigInt(event.data.quantity);
        return { ...row, stockOnHand: row.stockOnHand - quantity, reserved: row.reserved - quantity, ...moved };
      }
      default:
        return unreachable(event);
    }
  },
});
