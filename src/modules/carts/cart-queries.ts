import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ReadModelDb, uuidKey } from '../../database/read-model-db.js';
import { PRODUCTS_TABLE } from '../catalog/catalog.public.js';
import { DISCOUNT_CODES_TABLE } from '../discounts/discounts.public.js';
import { discountOf, subtotalOf } from './checkout-totals.js';
import type { CartDto, CartItemDto } from './carts.query.dto.js';

interface CartRow {
  id: string;
  customer_id: string;
  status: 'open' | 'checked_out';
  version: number;
  items: CartItemDto[];
  /** The code the cart holds, its kind and value (null until the discounts' read model has it), the ordered discount once checked out. */
  code: string | null;
  kind: 'percent' | 'fixed' | null;
  value: number | null;
  ordered_discount_cents: string | null;
}

/**
 * Lookups by key, several at once (ReadModelDb.lookup), whose plan never depends on the values: a named
 * (prepared) statement.
 */
const FIND_CARTS = {
  name: 'carts.find-carts',
  text: `SELECT c.id, c.customer_id, c.status, c.version, d.code, k.kind, k.value, d.ordered_discount_cents,
           coalesce(json_agg(json_build_object(
             'productId', l.product_id,
             'sku', coalesce(l.sku, p.sku, ''),
             'name', coalesce(l.name, p.name, ''),
             'quantity', l.quantity,
             'unitPriceCents', coalesce(l.unit_price_cents, p.price_cents, 0),
             'lineTotalCents', l.quantity::bigint * coalesce(l.unit_price_cents, p.price_cents, 0)
           ) ORDER BY l.line_no) FILTER (WHERE l.product_id IS NOT NULL), '[]') AS items
         FROM carts_view c
         LEFT JOIN cart_lines_view l ON l.cart_id = c.id
         LEFT JOIN ${PRODUCTS_TABLE} p ON p.id = l.product_id
         LEFT JOIN cart_discounts_view d ON d.cart_id = c.id
         LEFT JOIN ${DISCOUNT_CODES_TABLE} k ON k.id = d.code_id
         WHERE c.id = ANY($1::uuid[])
         GROUP BY c.id, d.cart_id, k.id`,
};

/** The carts' reads. */
@Injectable()
export class CartQueries {
  private readonly findRow: (id: string) => Promise<CartRow | null>;

  constructor(
    db: ReadModelDb,
    private readonly config: AppConfig,
  ) {
    this.findRow = db.lookup(FIND_CARTS, (row: CartRow) => row.id, uuidKey);
  }

  /**
   * The cart with its lines in the order they were added. An open cart's lines are priced from the
   * catalog's read model (a read-only join: the catalog's events are the contract, its current prices
   * the cart's). One statement, so the cart and its lines come from one snapshot. A product the catalog's
   * read model has not caught up with yet shows with an empty SKU and name and a zero price rather than
   * hiding the line; `X-Min-Position` waits for both read models.
   */
  async findCart(id: string): Promise<CartDto | null> {
    const row = await this.findRow(id);
    if (!row) return null;
    const { customer_id, status, version, items, code, kind, value, ordered_discount_cents } = row;
    const subtotalCents = subtotalOf(items);
    // Once checked out, the discount the order was placed with; while open, the code's amount at current prices.
    const amountCents =
      ordered_discount_cents !== null ? Number(ordered_discount_cents) : kind !== null && value !== null ? discountOf(subtotalCents, { kind, value }) : 0;
    return {
      id,
      customerId: customer_id,
      status,
      items,
      subtotalCents,
      discount: code === null ? null : { code, amountCents },
      totalCents: subtotalCents - amountCents,
      currency: this.config.STORE_CURRENCY,
      version,
    };
  }
}
