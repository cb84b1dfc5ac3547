import { Injectable } from '@nestjs/common';
import { ProjectionProvider, type Projection } from '../../projections/projection.js';
import type { OrderCancelled, OrderLine, OrderPlaced } from '../orders/order.events.js';

/** What one order adds to a product's daily sales; kept per order so that cancelling takes it back out. */
interface ProductSale {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly revenueCents: number;
}

/** The order's lines summed per product (a product appears once per order today; this keeps it so). */
function productSales(lines: readonly OrderLine[]): ProductSale[] {
  const byProduct = new Map<string, ProductSale>();
  for (const { productId, sku, name, quantity, unitPriceCents } of lines) {
    const sale = byProduct.get(productId);
    byProduct.set(productId, {
      productId,
      sku,
      name,
      quantity: (sale?.quantity ?? 0) + quantity,
      revenueCents: (sale?.revenueCents ?? 0) + quantity * unitPriceCents,
    });
  }
  return [...byProduct.values()];
}

const SALE_COLUMNS = `"productId" uuid, sku text, name text, quantity bigint, "revenueCents" bigint`;

/**
 * Builds the daily sales tables. An order counts on the UTC day it was placed; a cancelled order counts
 * nowhere, so OrderCancelled subtracts exactly what OrderPlaced added, as `sales_orders` recorded it.
 * Each handler is one statement; `sales_orders` makes both of them no-ops when applied twice.
 */
@ProjectionProvider()
@Injectable()
export class SalesReportProjection implements Projection {
  readonly name = 'sales-report';
  readonly tables = ['sales_daily', 'product_sales_daily', 'sales_orders'];

  readonly handlers: Projection['handlers'] = {
    OrderPlaced: async (event, ctx) => {
      const { orderId, lines, totalCents, placedAt } = event.data as OrderPlaced['data'];
      const sales = productSales(lines);
      const itemsSold = sales.reduce((count, sale) => count + sale.quantity, 0);
      await ctx.client.query(
        `WITH placed AS (
           INSERT INTO ${ctx.table('sales_orders')} (order_id, placed_date, items_sold, revenue_cents, lines)
           VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4, $5::jsonb)
           ON CONFLICT (order_id) DO NOTHING
           RETURNING placed_date, items_sold, revenue_cents, lines
         ), daily AS (
           INSERT INTO ${ctx.table('sales_daily')} AS d (date, orders, items_sold, revenue_cents)
           SELECT placed_date, 1, items_sold, revenue_cents FROM placed
           ON CONFLICT (date) DO UPDATE SET orders = d.orders + 1, items_sold = d.items_sold + EXCLUDED.items_sold,
             revenue_cents = d.revenue_cents + EXCLUDED.revenue_cents
         )
         INSERT INTO ${ctx.table('product_sales_daily')} AS s (date, product_id, sku, name, items_sold, revenue_cents)
         SELECT placed.placed_date, sale."productId", sale.sku, sale.name, sale.quantity, sale."revenueCents"
         FROM placed, jsonb_to_recordset(placed.lines) AS sale(${SALE_COLUMNS})
         ON CONFLICT (date, product_id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name,
           items_sold = s.items_sold + EXCLUDED.items_sold, revenue_cents = s.revenue_cents + EXCLUDED.revenue_cents`,
        [orderId, placedAt, itemsSold, totalCents, JSON.stringify(sales)],
      );
    },
    OrderCancelled: async (event, ctx) => {
      const { orderId } = event.data as OrderCancelled['data'];
      await ctx.client.query(
        `WITH cancelled AS (
           UPDATE ${ctx.table('sales_orders')} SET cancelled = true WHERE order_id = $1 AND NOT cancelled
           RETURNING placed_date, items_sold, revenue_cents, lines
         ), daily AS (
           UPDATE ${ctx.table('sales_daily')} AS d SET orders = d.orders - 1, items_sold = d.items_sold - c.items_sold,
             revenue_cents = d.revenue_cents - c.revenue_cents
           FROM cancelled c WHERE d.date = c.placed_date
         )
         UPDATE ${ctx.table('product_sales_daily')} AS s
         SET items_sold = s.items_sold - sale.quantity, revenue_cents = s.revenue_cents - sale."revenueCents"
         FROM cancelled c, jsonb_to_recordset(c.lines) AS sale(${SALE_COLUMNS})
         WHERE s.date = c.placed_date AND s.product_id = sale."productId"`,
        [orderId],
      );
    },
  };
}
