import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import type { StoredEvent } from '../../event-store/event.js';
import { ProjectionProvider, type Projection, type ProjectionContext } from '../../projections/projection.js';
import type { OrderPlaced } from '../orders/order.events.js';
import type { CartCheckedOut, CartCreated, CartItemAdded, CartItemQuantityChanged, CartItemRemoved } from './cart.events.js';
import type { CartDto, CartItemDto } from './carts.query.dto.js';

/**
 * Builds `carts_view` and `cart_lines_view`. Cart events hold no prices: an open cart is priced at query
 * time from the catalog's read model. A checked-out cart shows the prices it was ordered at, which this
 * projection takes from the order's OrderPlaced (checkout appends it with CartCheckedOut, atomically).
 *
 * Each cart event first moves the cart row's version forward and only then touches the lines, in one
 * statement, so an event applied twice changes nothing.
 */
@ProjectionProvider()
@Injectable()
export class CartsProjection implements Projection {
  readonly name = 'carts';
  readonly tables = ['carts_view', 'cart_lines_view'];

  readonly handlers: Projection['handlers'] = {
    CartCreated: async (event, ctx) => {
      const { cartId, customerId } = event.data as CartCreated['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('carts_view')} (id, customer_id, status, version, updated_at)
         VALUES ($1, $2, 'open', $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [cartId, customerId, event.version, event.occurredAt],
      );
    },
    CartItemAdded: async (event, ctx) => {
      const { cartId, productId, quantity } = event.data as CartItemAdded['data'];
      // Adding a product already in the cart adds to its line, which keeps its place.
      await ctx.client.query(
        `${advanceCart(ctx)}
         INSERT INTO ${ctx.table('cart_lines_view')} AS line (cart_id, product_id, quantity, line_no)
         SELECT id, $4, $5, $2 FROM cart
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = line.quantity + EXCLUDED.quantity`,
        [...cartParams(cartId, event), productId, quantity],
      );
    },
    CartItemQuantityChanged: async (event, ctx) => {
      const { cartId, productId, quantity } = event.data as CartItemQuantityChanged['data'];
      await ctx.client.query(
        `${advanceCart(ctx)}
         UPDATE ${ctx.table('cart_lines_view')} AS line SET quantity = $5
         FROM cart WHERE line.cart_id = cart.id AND line.product_id = $4`,
        [...cartParams(cartId, event), productId, quantity],
      );
    },
    CartItemRemoved: async (event, ctx) => {
      const { cartId, productId } = event.data as CartItemRemoved['data'];
      await ctx.client.query(
        `${advanceCart(ctx)}
         DELETE FROM ${ctx.table('cart_lines_view')} AS line
         USING cart WHERE line.cart_id = cart.id AND line.product_id = $4`,
        [...cartParams(cartId, event), productId],
      );
    },
    CartCheckedOut: async (event, ctx) => {
      const { cartId, orderId } = event.data as CartCheckedOut['data'];
      await ctx.client.query(
        `UPDATE ${ctx.table('carts_view')} SET status = 'checked_out', order_id = $4, version = $2, updated_at = $3
         WHERE id = $1 AND version < $2`,
        [...cartParams(cartId, event), orderId],
      );
    },
    OrderPlaced: async (event, ctx) => {
      const { cartId, lines } = event.data as OrderPlaced['data'];
      await ctx.client.query(
        `UPDATE ${ctx.table('cart_lines_view')} AS line
         SET sku = placed.sku, name = placed.name, unit_price_cents = placed."unitPriceCents"
         FROM jsonb_to_recordset($2::jsonb) AS placed("productId" uuid, sku text, name text, "unitPriceCents" integer)
         WHERE line.cart_id = $1 AND line.product_id = placed."productId"`,
        [cartId, JSON.stringify(lines)],
      );
    },
  };
}

/** A CTE `cart` that moves the cart's row to `event` ($1 cart id, $2 version, $3 time), empty if already there. */
function advanceCart(ctx: ProjectionContext): string {
  return `WITH cart AS (
    UPDATE ${ctx.table('carts_view')} SET version = $2, updated_at = $3 WHERE id = $1 AND version < $2 RETURNING id
  )`;
}

function cartParams(cartId: string, event: StoredEvent): unknown[] {
  return [cartId, event.version, event.occurredAt];
}

interface CartRow {
  id: string;
  customer_id: string;
  status: 'open' | 'checked_out';
  version: number;
  items: CartItemDto[];
}

/** The carts' reads. */
@Injectable()
export class CartQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * The cart with its lines in the order they were added. An open cart's lines are priced from the
   * catalog's read model (a read-only join: the catalog's events are the contract, its current prices
   * the cart's). One statement, so the cart and its lines come from one snapshot. A product the catalog's
   * read model has not caught up with yet shows with an empty SKU and name and a zero price rather than
   * hiding the line; `X-Min-Position` waits for both read models.
   */
  async findCart(id: string): Promise<CartDto | null> {
    const rows: CartRow[] = await this.db.query(
      `SELECT c.id, c.customer_id, c.status, c.version,
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
       LEFT JOIN products_view p ON p.id = l.product_id
       WHERE c.id = $1
       GROUP BY c.id`,
      [id],
    );
    if (rows.length === 0) return null;
    const { customer_id, status, version, items } = rows[0];
    return {
      id,
      customerId: customer_id,
      status,
      items,
      totalCents: items.reduce((total, item) => total + item.lineTotalCents, 0),
      currency: this.config.STORE_CURRENCY,
      version,
    };
  }
}
