import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelDb } from '../../src/database/read-model-db.js';
import type { StoredEvent } from '../../src/event-store/event.js';
import { ORDER_STREAM, orderTotal, type OrderEvent, type OrderLine } from '../../src/modules/orders/order.events.js';
import { ReportQueries } from '../../src/modules/reports/report-queries.js';
import { SalesReportProjection } from '../../src/modules/reports/sales-report.projection.js';
import { createMigratedDatabase } from '../support/database.js';
import { applyEvents, dataSourceFor, TestLog } from './given-events.js';

describe('sales-report projection (sales_daily, product_sales_daily)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let queries: ReportQueries;
  const projection = new SalesReportProjection();
  const log = new TestLog();

  const mug = { productId: randomUUID(), sku: 'MUG', name: 'Mug' };
  const pen = { productId: randomUUID(), sku: 'PEN', name: 'Pen' };
  const lamp = { productId: randomUUID(), sku: 'LAMP', name: 'Lamp' };
  const cup = { productId: randomUUID(), sku: 'CUP', name: 'Cup' };

  const orderEvent = (orderId: string, event: OrderEvent) => log.event(orderId, ORDER_STREAM, event);
  const apply = (...events: StoredEvent[]) => applyEvents(pool, projection, events);

  function placed(placedAt: string, lines: OrderLine[]) {
    const orderId = randomUUID();
    return orderEvent(orderId, {
      type: 'OrderPlaced',
      data: {
        orderId,
        cartId: randomUUID(),
        customerId: 'alice',
        lines,
        totalCents: orderTotal(lines),
        currency: 'USD',
        shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'GB' },
        placedAt,
      },
    });
  }

  const cancelled = (order: StoredEvent) =>
    orderEvent(order.streamId, { type: 'OrderCancelled', data: { orderId: order.streamId, reason: 'no', cancelledAt: '2026-12-01T00:00:00.000Z' } });

  beforeAll(async () => {
    let url: string;
    ({ url, pool, close } = await createMigratedDatabase());
    dataSource = await dataSourceFor(url);
    queries = new ReportQueries(new ReadModelDb(pool));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await close();
  });

  it('counts each order on the UTC day it was placed, with zeros for days without sales', async () => {
    await apply(
      placed('2026-03-01T23:59:59.999Z', [{ ...mug, quantity: 2, unitPriceCents: 1000 }]),
      // 00:30 in Paris on the 3rd is still the 2nd in UTC.
      placed('2026-03-03T00:30:00.000+01:00', [{ ...mug, quantity: 1, unitPriceCents: 1000 }, { ...pen, quantity: 4, unitPriceCents: 150 }]),
      placed('2026-03-03T00:00:00.000Z', [{ ...pen, quantity: 1, unitPriceCents: 150 }]),
    );
    expect(await queries.salesReport({ from: '2026-02-28', to: '2026-03-04' })).toEqual({
      days: [
        { date: '2026-02-28', orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 },
        { date: '2026-03-01', orders: 1, itemsSold: 2, revenueCents: 2000, discountCents: 0, shippingCents: 0, taxCents: 0 },
        { date: '2026-03-02', orders: 1, itemsSold: 5, revenueCents: 1600, discountCents: 0, shippingCents: 0, taxCents: 0 },
        { date: '2026-03-03', orders: 1, itemsSold: 1, revenueCents: 150, discountCents: 0, shippingCents: 0, taxCents: 0 },
        { date: '2026-03-04', orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 },
      ],
      totals: { orders: 3, itemsSold: 8, revenueCents: 3750, discountCents: 0, shippingCents: 0, taxCents: 0 },
    });
  });

  it('ranks products by items sold, then revenue, then id, over the range', async () => {
    await apply(
      placed('2026-04-10T10:00:00.000Z', [{ ...mug, quantity: 3, unitPriceCents: 1000 }, { ...pen, quantity: 3, unitPriceCents: 100 }]),
      placed('2026-04-11T10:00:00.000Z', [{ ...lamp, quantity: 5, unitPriceCents: 4000 }, { ...cup, quantity: 4, unitPriceCents: 200 }]),
      placed('2026-04-12T10:00:00.000Z', [{ ...pen, name: 'Pen (blue)', quantity: 1, unitPriceCents: 120 }]),
      placed('2026-04-20T10:00:00.000Z', [{ ...mug, quantity: 100, unitPriceCents: 1000 }]),
    );
    expect(await queries.topProducts({ from: '2026-04-10', to: '2026-04-12' }, 10)).toEqual([
      { ...lamp, itemsSold: 5, revenueCents: 20000 },
      { ...cup, itemsSold: 4, revenueCents: 800 },
      { ...pen, name: 'Pen (blue)', itemsSold: 4, revenueCents: 420 },
      { ...mug, itemsSold: 3, revenueCents: 3000 },
    ]);
    expect(await queries.topProducts({ from: '2026-04-10', to: '2026-04-12' }, 2)).toEqual([expect.objectContaining(lamp), expect.objectContaining(cup)]);
    expect((await queries.topProducts({ from: '2026-04-10', to: '2026-04-20' }, 1))[0]).toEqual({ ...mug, itemsSold: 103, revenueCents: 103000 });
  });

  it('takes a cancelled order out of every figure, on the day it was placed', async () => {
    const kept = placed('2026-05-05T08:00:00.000Z', [{ ...mug, quantity: 1, unitPriceCents: 1000 }]);
    const dropped = placed('2026-05-05T09:00:00.000Z', [{ ...mug, quantity: 2, unitPriceCents: 1000 }, { ...lamp, quantity: 1, unitPriceCents: 4000 }]);
    await apply(kept, dropped);
    expect((await queries.salesReport({ from: '2026-05-05', to: '2026-05-05' })).totals).toEqual({ orders: 2, itemsSold: 4, revenueCents: 7000, discountCents: 0, shippingCents: 0, taxCents: 0 });

    await apply(cancelled(dropped));
    expect(await queries.salesReport({ from: '2026-05-05', to: '2026-05-05' })).toEqual({
      days: [{ date: '2026-05-05', orders: 1, itemsSold: 1, revenueCents: 1000, discountCents: 0, shippingCents: 0, taxCents: 0 }],
      totals: { orders: 1, itemsSold: 1, revenueCents: 1000, discountCents: 0, shippingCents: 0, taxCents: 0 },
    });
    expect(await queries.topProducts({ from: '2026-05-05', to: '2026-05-05' }, 10)).toEqual([{ ...mug, itemsSold: 1, revenueCents: 1000 }]);
  });

  it('changes nothing when a placement or a cancellation is applied a second time', async () => {
    const order = placed('2026-06-06T12:00:00.000Z', [{ ...pen, quantity: 7, unitPriceCents: 100 }]);
    const other = placed('2026-06-06T13:00:00.000Z', [{ ...pen, quantity: 1, unitPriceCents: 100 }]);
    await apply(order, other, order);
    expect((await queries.salesReport({ from: '2026-06-06', to: '2026-06-06' })).totals).toEqual({ orders: 2, itemsSold: 8, revenueCents: 800, discountCents: 0, shippingCents: 0, taxCents: 0 });
    const cancel = cancelled(order);
    await apply(cancel, cancel);
    expect((await queries.salesReport({ from: '2026-06-06', to: '2026-06-06' })).totals).toEqual({ orders: 1, itemsSold: 1, revenueCents: 100, discountCents: 0, shippingCents: 0, taxCents: 0 });
  });

  it('writes only to the tables ctx.table names (a rebuild writes shadow tables)', async () => {
    for (const table of ['sales_orders', 'sales_daily', 'product_sales_daily']) {
      await pool.query(`CREATE TABLE ${table}_shadow (LIKE ${table} INCLUDING ALL)`);
    }
    const order = placed('2026-07-07T12:00:00.000Z', [{ ...pen, quantity: 1, unitPriceCents: 100 }]);
    await applyEvents(pool, projection, [order, cancelled(order), placed('2026-07-07T13:00:00.000Z', [{ ...mug, quantity: 2, unitPriceCents: 500 }])], { table: (name) => `"${name}_shadow"` });
    expect((await pool.query('SELECT orders, items_sold::int FROM sales_daily_shadow')).rows).toEqual([{ orders: 1, items_sold: 2 }]);
    expect((await queries.salesReport({ from: '2026-07-07', to: '2026-07-07' })).totals).toEqual({ orders: 0, itemsSold: 0, revenueCents: 0, discountCents: 0, shippingCents: 0, taxCents: 0 });
  });
});
