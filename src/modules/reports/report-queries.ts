import { Injectable } from '@nestjs/common';
import { ReadModelDb } from '../../database/read-model-db.js';
import type { SalesReportDto, TopProductDto } from './reports.query.dto.js';

/** `from` and `to` are inclusive UTC dates, `YYYY-MM-DD`. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/**
 * The reports' reads: aggregates over the daily tables, by their (date, ...) primary keys. Not named
 * statements: how many days a range spans decides the best plan, so each query gets its own.
 */
@Injectable()
export class ReportQueries {
  constructor(private readonly db: ReadModelDb) {}

  /** Every day of the range, ascending, days without sales as zeros. */
  async salesReport({ from, to }: DateRange): Promise<SalesReportDto> {
    const rows = await this.db.query<{
      date: string;
      orders: number;
      items_sold: string;
      revenue_cents: string;
      discount_cents: string;
      shipping_cents: string;
      tax_cents: string;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, coalesce(s.orders, 0) AS orders,
              coalesce(s.items_sold, 0) AS items_sold, coalesce(s.revenue_cents, 0) AS revenue_cents,
              coalesce(s.discount_cents, 0) AS discount_cents, coalesce(s.shipping_cents, 0) AS shipping_cents,
              coalesce(s.tax_cents, 0) AS tax_cents
       FROM generate_series($1::date, $2::date, interval '1 day') AS day
       LEFT JOIN sales_daily s ON s.date = day::date
       ORDER BY day`,
      [from, to],
    );
    const days = rows.map((row) => ({
      date: row.date,
      orders: row.orders,
      itemsSold: Number(row.items_sold),
      revenueCents: Number(row.revenue_cents),
      discountCents: Number(row.discount_cents),
      shippingCents: Number(row.shipping_cents),
      taxCents: Number(row.tax_cents),
    }));
    const totals = { orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 };
    for (const day of days) {
      for (const figure of Object.keys(totals) as (keyof typeof totals)[]) totals[figure] += day[figure];
    }
    return { days, totals };
  }

  /**
   * Best sellers of the range by items sold (ties: revenue, then product id). A product's SKU and name
   * are those of its latest sale in the range. The sums are a hash aggregate over the range; only the
   * winners' names are looked up, by the (product_id, date) index (a year of 2,000 products: ~50 ms).
   */
  async topProducts({ from, to }: DateRange, limit: number): Promise<TopProductDto[]> {
    const rows = await this.db.query<{ product_id: string; sku: string; name: string; items_sold: string; revenue_cents: string }>(
      `SELECT top.product_id, latest.sku, latest.name, top.items_sold, top.revenue_cents
       FROM (
         SELECT product_id, sum(items_sold) AS items_sold, sum(revenue_cents) AS revenue_cents
         FROM product_sales_daily
         WHERE date BETWEEN $1::date AND $2::date
         GROUP BY product_id
         HAVING sum(items_sold) > 0
         ORDER BY items_sold DESC, revenue_cents DESC, product_id
         LIMIT $3
       ) AS top
       CROSS JOIN LATERAL (
         SELECT sku, name FROM product_sales_daily AS sale
         WHERE sale.product_id = top.product_id AND sale.date BETWEEN $1::date AND $2::date
         ORDER BY sale.date DESC
         LIMIT 1
       ) AS latest
       ORDER BY top.items_sold DESC, top.revenue_cents DESC, top.product_id`,
      [from, to, limit],
    );
    return rows.map((row) => ({
      productId: row.product_id,
      sku: row.sku,
      name: row.name,
      itemsSold: Number(row.items_sold),
      revenueCents: Number(row.revenue_cents),
    }));
  }
}
