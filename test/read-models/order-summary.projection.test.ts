import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelDb } from '../../src/database/read-model-db.js';
import type { StoredEvent } from '../../src/event-store/event.js';
import { OrderQueries, orderListQuery, type OrderFilter } from '../../src/modules/orders/order-queries.js';
import { OrderSummaryProjection } from '../../src/modules/orders/order-summary.projection.js';
import { ORDER_STREAM, orderTotal, type OrderEvent, type OrderLine, type OrderPlaced } from '../../src/modules/orders/order.events.js';
import { orderFromHistory } from '../../src/modules/orders/order.view.js';
import { createMigratedDatabase } from '../support/database.js';
import { encodePageCursor } from '../../src/http/page-cursor.js';
import { applyEvents, TestLog, type ApplyVia } from './given-events.js';

const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

describe.each<ApplyVia>(['handlers', 'applyBatch'])('order-summary projection (order_summaries), through %s', (via) => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let queries: OrderQueries;
  let url: string;
  const projection = new OrderSummaryProjection();
  const log = new TestLog();

  const orderEvent = (orderId: string, event: OrderEvent) => log.event(orderId, ORDER_STREAM, event) as StoredEvent<OrderEvent>;
  const apply = (...events: StoredEvent[]) => applyEvents(pool, projection, events, { via });

  function placed(options: { customerId?: string; placedAt?: string; lines?: OrderLine[]; orderId?: string } = {}) {
    const orderId = options.orderId ?? randomUUID();
    const lines = options.lines ?? [
      { productId: randomUUID(), sku: 'MUG', name: 'Mug', quantity: 2, unitPriceCents: 1200 },
      { productId: randomUUID(), sku: 'PEN', name: 'Pen', quantity: 5, unitPriceCents: 150 },
    ];
    return log.event<OrderPlaced>(orderId, ORDER_STREAM, {
      type: 'OrderPlaced',
      data: {
        orderId,
        cartId: randomUUID(),
        customerId: options.customerId ?? 'alice',
        lines,
        totalCents: orderTotal(lines),
        currency: 'USD',
        shippingAddress: address,
        placedAt: options.placedAt ?? '2026-11-26T10:00:00.000Z',
      },
    });
  }

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    queries = new OrderQueries(new ReadModelDb(pool));
  });
  afterAll(async () => {
    await close();
  });

  it('records a placed order with its lines, totals and item count', async () => {
    const event = placed({ customerId: 'alice', placedAt: '2026-11-26T10:00:00.123Z' });
    const orderId = event.streamId;
    await apply(event);
    expect(await queries.findOrder(orderId)).toEqual({
      id: orderId,
      customerId: 'alice',
      status: 'placed',
      totalCents: 3150,
      currency: 'USD',
      itemCount: 7,
      placedAt: '2026-11-26T10:00:00.123Z',
      updatedAt: '2026-11-26T10:00:00.123Z',
      items: [
        { productId: event.data.lines[0].productId, sku: 'MUG', name: 'Mug', quantity: 2, unitPriceCents: 1200, lineTotalCents: 2400 },
        { productId: event.data.lines[1].productId, sku: 'PEN', name: 'Pen', quantity: 5, unitPriceCents: 150, lineTotalCents: 750 },
      ],
      // An OrderPlaced without pricing fields (written before they existed): its total is its subtotal.
      subtotalCents: 3150,
      discountCents: 0,
      shippingCents: 0,
      taxCents: 0,
      taxRateBasisPoints: 0,
      shippingAddress: address,
      version: 1,
    });
  });

  it('follows an order through payment, shipping and delivery', async () => {
    const first = placed();
    const orderId = first.streamId;
    await apply(
      first,
      orderEvent(orderId, { type: 'OrderPaid', data: { orderId, amountCents: 3150, paymentReference: 'pay-1', paidAt: '2026-11-26T11:00:00.000Z' } }),
    );
    expect(await queries.findOrder(orderId)).toMatchObject({ status: 'paid', paymentReference: 'pay-1', paidAt: '2026-11-26T11:00:00.000Z', updatedAt: '2026-11-26T11:00:00.000Z', version: 2 });

    await apply(
      orderEvent(orderId, { type: 'OrderShipped', data: { orderId, carrier: 'DHL', trackingNumber: 'T-1', shippedAt: '2026-11-27T08:00:00.000Z' } }),
      orderEvent(orderId, { type: 'OrderDelivered', data: { orderId, deliveredAt: '2026-11-28T15:30:00.000Z' } }),
    );
    const order = await queries.findOrder(orderId);
    expect(order).toMatchObject({
      status: 'delivered',
      paymentReference: 'pay-1',
      carrier: 'DHL',
      trackingNumber: 'T-1',
      paidAt: '2026-11-26T11:00:00.000Z',
      shippedAt: '2026-11-27T08:00:00.000Z',
      deliveredAt: '2026-11-28T15:30:00.000Z',
      updatedAt: '2026-11-28T15:30:00.000Z',
      version: 4,
    });
    expect(order).not.toHaveProperty('cancelledAt');
    expect(order).not.toHaveProperty('cancelReason');
  });

  it('records a cancellation with its reason', async () => {
    const first = placed();
    const orderId = first.streamId;
    await apply(first, orderEvent(orderId, { type: 'OrderCancelled', data: { orderId, reason: 'Changed my mind', cancelledAt: '2026-11-26T12:00:00.000Z' } }));
    const order = await queries.findOrder(orderId);
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'Changed my mind', cancelledAt: '2026-11-26T12:00:00.000Z', version: 2 });
    expect(order).not.toHaveProperty('paidAt');
    expect(order).not.toHaveProperty('paymentReference');
  });

  it('answers orders asked for together each with its own, whatever the case of the id; one that is not a UUID is none and fails no other', async () => {
    const orders = [placed({ customerId: 'bob' }), placed({ customerId: 'carol' }), placed({ customerId: 'dave' })];
    await apply(...orders);
    const [bob, carol, dave] = orders.map((event) => event.streamId);
    const found = await Promise.all([bob, 'not-a-uuid', carol.toUpperCase(), randomUUID(), dave].map((id) => queries.findOrder(id)));
    expect(found.map((order) => order && [order.id, order.customerId])).toEqual([[bob, 'bob'], null, [carol, 'carol'], null, [dave, 'dave']]);
  });

  it('answers exactly what rebuilding the order from its events answers', async () => {
    const first = placed({ placedAt: '2026-11-20T09:15:00.000Z', lines: [{ productId: randomUUID(), sku: 'A', name: 'A', quantity: 1000, unitPriceCents: 100_000_000 }] });
    const orderId = first.streamId;
    const history = [
      first,
      orderEvent(orderId, { type: 'OrderPaid', data: { orderId, amountCents: 100_000_000_000, paymentReference: 'p', paidAt: '2026-11-20T09:16:00.000Z' } }),
      orderEvent(orderId, { type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: '2026-11-20T09:17:00.000Z' } }),
    ];
    await apply(...history);
    expect(await queries.findOrder(orderId)).toEqual(orderFromHistory(history));
    expect((await queries.findOrder(orderId))?.totalCents).toBe(100_000_000_000);
  });

  it('reads the table a rebuild swapped in, on a connection that read the old one (its prepared statements are replanned)', async () => {
    const first = placed({ customerId: 'swapper' });
    const orderId = first.streamId;
    const paid = orderEvent(orderId, { type: 'OrderPaid', data: { orderId, amountCents: 3150, paymentReference: 'swap', paidAt: '2026-11-26T11:00:00.000Z' } });
    await apply(first);
    const oneConnection = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const onOne = new OrderQueries(new ReadModelDb(oneConnection));
      const listed = () => onOne.listOrders({ customerId: 'swapper', limit: 20 });
      expect(await onOne.findOrder(orderId)).toMatchObject({ status: 'placed' });
      expect((await listed()).items).toMatchObject([{ id: orderId, status: 'placed' }]);
      // What a rebuild's swap does: the old table goes, a shadow filled from the log takes its name.
      await pool.query(`CREATE TABLE order_summaries__swap (LIKE order_summaries INCLUDING ALL)`);
      await pool.query(`INSERT INTO order_summaries__swap SELECT * FROM order_summaries`);
      await applyEvents(pool, projection, [paid], { via, table: () => '"order_summaries__swap"' });
      await pool.query(`BEGIN; DROP TABLE order_summaries; ALTER TABLE order_summaries__swap RENAME TO order_summaries; COMMIT`);
      expect(await onOne.findOrder(orderId)).toMatchObject({ status: 'paid', paymentReference: 'swap' });
      expect((await listed()).items).toMatchObject([{ id: orderId, status: 'paid' }]);
    } finally {
      await oneConnection.end();
    }
  });

  it('answers its times in UTC to the millisecond whatever time zone the connection is in (PostgreSQL writes them with an offset)', async () => {
    const first = placed({ placedAt: '2026-11-20T23:45:00.120Z' });
    const orderId = first.streamId;
    await apply(first, orderEvent(orderId, { type: 'OrderPaid', data: { orderId, amountCents: 3150, paymentReference: 'p', paidAt: '2026-11-21T00:00:00.000Z' } }));
    const elsewhere = new pg.Pool({ connectionString: url, max: 1, options: '-c TimeZone=Asia/Kolkata' });
    try {
      const order = await new OrderQueries(new ReadModelDb(elsewhere)).findOrder(orderId);
      expect(order).toMatchObject({ placedAt: '2026-11-20T23:45:00.120Z', paidAt: '2026-11-21T00:00:00.000Z', updatedAt: '2026-11-21T00:00:00.000Z' });
      expect(order).toEqual(await queries.findOrder(orderId));
    } finally {
      await elsewhere.end();
    }
  });

  it('answers null for an unknown order or an id that is not a UUID', async () => {
    expect(await queries.findOrder(randomUUID())).toBeNull();
    expect(await queries.findOrder('not-a-uuid')).toBeNull();
  });

  describe('listing', () => {
    const customer = `list-${randomUUID()}`;
    const other = `other-${randomUUID()}`;
    /** Orders of `customer`, newest first: two share a placedAt, so the id breaks the tie. */
    let expected: string[] = [];

    async function pages(filter: Omit<OrderFilter, 'cursor'>): Promise<string[][]> {
      const result: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await queries.listOrders({ ...filter, cursor });
        result.push(page.items.map((o) => o.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && result.length < 100);
      return result;
    }

    beforeAll(async () => {
      const times = ['2026-11-01T10:00:00.000Z', '2026-11-02T10:00:00.000Z', '2026-11-02T10:00:00.000Z', '2026-11-03T10:00:00.000Z', '2026-11-04T23:59:59.999Z'];
      const events = times.map((placedAt) => placed({ customerId: customer, placedAt }));
      const orderId = events[3].streamId;
      const paid = orderEvent(orderId, { type: 'OrderPaid', data: { orderId, amountCents: 3150, paymentReference: 'p', paidAt: '2026-11-03T11:00:00.000Z' } });
      await apply(...events, paid, placed({ customerId: other, placedAt: '2026-11-02T12:00:00.000Z' }));
      expected = events
        .map((e) => ({ id: e.streamId, at: e.data.placedAt }))
        .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))
        .map((o) => o.id);
    });

    it("lists one customer's orders newest first, as summaries", async () => {
      const page = await queries.listOrders({ customerId: customer, limit: 20 });
      expect(page.items.map((o) => o.id)).toEqual(expected);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toEqual({
        id: expected[0],
        customerId: customer,
        status: 'placed',
        totalCents: 3150,
        currency: 'USD',
        itemCount: 7,
        placedAt: '2026-11-04T23:59:59.999Z',
        updatedAt: '2026-11-04T23:59:59.999Z',
      });
    });

    it('pages with a cursor without gaps or repeats, also across equal placedAt', async () => {
      const result = await pages({ customerId: customer, limit: 2 });
      expect(result).toEqual([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4)]);
    });

    it('filters by status and by a placedAt range (from inclusive, to exclusive)', async () => {
      const paid = await queries.listOrders({ customerId: customer, status: 'paid', limit: 20 });
      expect(paid.items).toHaveLength(1);
      expect(paid.items[0]).toMatchObject({ status: 'paid', placedAt: '2026-11-03T10:00:00.000Z', updatedAt: '2026-11-03T11:00:00.000Z' });

      const range = await queries.listOrders({ customerId: customer, from: '2026-11-02T10:00:00.000Z', to: '2026-11-04T23:59:59.999Z', limit: 20 });
      expect(range.items.map((o) => o.placedAt)).toEqual(['2026-11-03T10:00:00.000Z', '2026-11-02T10:00:00.000Z', '2026-11-02T10:00:00.000Z']);
    });

    it('lists every customer without a customer filter (the admin view)', async () => {
      const all = (await pages({ from: '2026-11-01T00:00:00Z', to: '2026-11-05T00:00:00Z', limit: 3 })).flat();
      expect(all).toHaveLength(6);
      expect(new Set(all).size).toBe(6);
    });

    it('rejects a cursor it did not issue with 400 VALIDATION_FAILED', async () => {
      const bad = Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url');
      await expect(queries.listOrders({ limit: 2, cursor: bad })).rejects.toMatchObject({ status: 400, response: { code: 'VALIDATION_FAILED' } });
    });
  });
});

describe('GET /orders query plans (real PostgreSQL: 60,000 orders, the newest 3,000 all placed)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
    // As in a live shop: recent orders are mostly still `placed`; older ones have moved on.
    await pool.query(`
      INSERT INTO order_summaries (id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address, placed_at, updated_at, version)
      SELECT gen_random_uuid(), 'customer-' || (i % 500), gen_random_uuid(),
             CASE WHEN i > 57000 THEN 'placed' ELSE (ARRAY['placed', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5] END,
             1000, 'USD', 1, '[{"sku": "MUG", "name": "Mug", "quantity": 1}]', '{"name": "Ada", "city": "London"}',
             now() - make_interval(secs => (60000 - i) * 30), now(), 1
      FROM generate_series(1, 60000) AS i`);
    await pool.query('ANALYZE order_summaries');
  });
  afterAll(async () => {
    await close();
  });

  async function planOf(filter: OrderFilter): Promise<string> {
    const { text, values } = orderListQuery(filter);
    const { rows } = await pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    return JSON.stringify(rows[0]['QUERY PLAN']);
  }

  it.each<OrderFilter>([
    { status: 'delivered', limit: 50 },
    { status: 'paid', limit: 20, from: new Date(Date.now() - 30 * 86_400_000).toISOString() },
  ])('walks the status index, without sorting, for %o (not the newest orders, filtered)', async (filter) => {
    const plan = await planOf(filter);
    expect(plan).toContain('order_summaries_status_idx');
    expect(plan).not.toContain('"Sort"');
  });

  it('starts a deep page of a status at its cursor, in the status index (not after the pages before it)', async () => {
    const { rows } = await pool.query<{ placed_at: Date; id: string }>(
      `SELECT placed_at, id FROM order_summaries WHERE status = 'paid' ORDER BY placed_at DESC, id DESC OFFSET 8000 LIMIT 1`,
    );
    const cursor = encodePageCursor([rows[0].placed_at.toISOString(), rows[0].id]);
    const plan = JSON.parse(await planOf({ status: 'paid', limit: 20, cursor })) as [{ Plan: { Plans: [{ 'Index Name': string; 'Index Cond': string }] } }];
    const scan = plan[0].Plan.Plans[0];
    expect(scan['Index Name']).toBe('order_summaries_status_idx');
    expect(scan['Index Cond']).toContain('ROW(placed_at, id) <');
  });

  it('walks the customer and status index for a customer and a status', async () => {
    expect(await planOf({ customerId: 'customer-7', status: 'delivered', limit: 20 })).toContain('order_summaries_customer_status_idx');
  });

  // The list's statements are prepared by name, one per combination of filters: after five runs PostgreSQL
  // may keep a plan made without the values. That plan must walk the combination's index in order and stop
  // after the page, as orderListQuery says, whatever the values: never sort what it read.
  it('plans every combination of filters, without its values, as one walk of its index in order: no sort', async () => {
    const { rows } = await pool.query<{ placed_at: Date; id: string }>(`SELECT placed_at, id FROM order_summaries ORDER BY placed_at DESC, id DESC OFFSET 4000 LIMIT 1`);
    const cursor = encodePageCursor([rows[0].placed_at.toISOString(), rows[0].id]);
    const day = 86_400_000;
    const names = new Map<string, string>();
    for (let shape = 0; shape < 32; shape++) {
      const has = (bit: number) => (shape & (1 << bit)) !== 0;
      const { name, text } = orderListQuery({
        limit: 20,
        ...(has(0) && { customerId: 'customer-7' }),
        ...(has(1) && { status: 'placed' }),
        ...(has(2) && { from: new Date(Date.now() - 30 * day).toISOString() }),
        ...(has(3) && { to: new Date(Date.now() - day).toISOString() }),
        ...(has(4) && { cursor }),
      });
      const index = has(0) ? (has(1) ? 'order_summaries_customer_status_idx' : 'order_summaries_customer_idx') : has(1) ? 'order_summaries_status_idx' : 'order_summaries_placed_idx';
      const { rows: generic } = await pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${text}`);
      const plan = JSON.stringify(generic[0]['QUERY PLAN']);
      expect([...plan.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]), `${name}: ${text}`).toEqual([index]);
      expect(plan, `${name}: ${text}`).not.toContain('"Sort"');
      // One text per name: pg refuses a name prepared on a connection with another text.
      expect(names.get(name) ?? text, name).toBe(text);
      names.set(name, text);
    }
    expect(new Set(names.values()).size).toBe(32);
  });
});
