import { unreachable } from '../../event-store/decider.js';
import { readModel } from '../../projections/read-model.js';
import { boolean, date, int4, int8, jsonb, table, text, uuid, type TableRow } from '../../projections/read-model-columns.js';
import { totals } from '../../projections/read-model-totals.js';
import { placedOrderPricing, type OrderCancelled, type OrderLine, type OrderPlaced } from '../orders/order.events.js';

/** What one order adds to a product's daily sales. */
interface ProductSale {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly revenueCents: number;
}

/** One row per placed order: what it added to the report, so that cancelling it takes exactly that back out. */
export const salesOrders = table('sales_orders', ['orderId'], {
  orderId: uuid(),
  /** The UTC day it was placed: the day it counts on. */
  placedDate: date(),
  itemsSold: int4(),
  /** Merchandise after the order's discount (subtotal - discount), without shipping and tax. */
  revenueCents: int8(),
  /** Per product. */
  lines: jsonb<ProductSale[]>(),
  cancelled: boolean(),
  discountCents: int8(),
  shippingCents: int8(),
  taxCents: int8(),
});

export const salesDaily = table('sales_daily', ['date'], {
  date: date(),
  orders: int4(),
  itemsSold: int8(),
  revenueCents: int8(),
  discountCents: int8(),
  shippingCents: int8(),
  taxCents: int8(),
});

export const productSalesDaily = table('product_sales_daily', ['date', 'productId'], {
  date: date(),
  productId: uuid(),
  /** As the product's latest sale that day had them. */
  sku: text(),
  name: text(),
  itemsSold: int8(),
  revenueCents: int8(),
});

export type SalesOrderRow = TableRow<typeof salesOrders>;

const byOrder = (event: { data: { orderId: string } }) => event.data.orderId;

/**
 * The daily sales report. An order counts on the UTC day it was placed; a cancelled order counts nowhere.
 * A cancellation names only its order, so the model keeps one row per order and the daily tables are
 * totals over the orders that are not cancelled.
 */
export const salesReport = readModel<OrderPlaced | OrderCancelled, SalesOrderRow>({
  name: 'sales-report',
  table: salesOrders,
  keys: { OrderPlaced: byOrder, OrderCancelled: byOrder },
  evolve(row, event) {
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, lines, placedAt } = event.data;
        const { subtotalCents, discountCents, shippingCents, taxCents } = placedOrderPricing(event.data);
        const sales = productSales(lines);
        const itemsSold = sales.reduce((count, sale) => count + sale.quantity, 0);
        const placedDate = new Date(placedAt).toISOString().slice(0, 10);
        return {
          orderId,
          placedDate,
          itemsSold,
          revenueCents: BigInt(subtotalCents - discountCents),
          lines: sales,
          cancelled: false,
          discountCents: BigInt(discountCents),
          shippingCents: BigInt(shippingCents),
          taxCents: BigInt(taxCents),
        };
      }
      case 'OrderCancelled':
        return row && { ...row, cancelled: true };
      default:
        return unreachable(event);
    }
  },
  totals: [
    totals(salesDaily, (order: SalesOrderRow) =>
      order.cancelled
        ? []
        : [
            {
              date: order.placedDate,
              orders: 1,
              itemsSold: BigInt(order.itemsSold),
              revenueCents: order.revenueCents,
              discountCents: order.discountCents,
              shippingCents: order.shippingCents,
              taxCents: order.taxCents,
            },
          ],
    ),
    totals(productSalesDaily, (order: SalesOrderRow) =>
      order.cancelled
        ? []
        : order.lines.map(({ productId, sku, name, quantity, revenueCents }) => ({
            date: order.placedDate,
            productId,
            sku,
            name,
            itemsSold: BigInt(quantity),
            revenueCents: BigInt(revenueCents),
          })),
    ),
  ],
});

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
