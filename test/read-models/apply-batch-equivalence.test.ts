import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/event-store/event.js';
import { CART_STREAM, type CartEvent } from '../../src/modules/carts/cart.events.js';
import { CartsProjection } from '../../src/modules/carts/carts.projection.js';
import { CatalogProjection } from '../../src/modules/catalog/catalog.projection.js';
import { PRODUCT_STREAM, type ProductEvent } from '../../src/modules/catalog/product.events.js';
import { OrderSummaryProjection } from '../../src/modules/orders/order-summary.projection.js';
import { ORDER_STREAM, orderTotal, type OrderEvent, type OrderLine } from '../../src/modules/orders/order.events.js';
import type { Projection } from '../../src/projections/projection.js';
import { createMigratedDatabase } from '../support/database.js';
import { projectionContext } from '../../src/projections/batch-applier.js';
import { applyEvents, TestLog } from './given-events.js';

/** A small seeded PRNG (mulberry32): the same "random" log on every run, and a different one per seed. */
function random(seed: number): { next: () => number; int: (n: number) => number; pick: <T>(items: readonly T[]) => T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)] };
}

/** Cuts `events` into consecutive batches of 1 to `max` events. */
function batches<T>(events: readonly T[], rng: ReturnType<typeof random>, max: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + rng.int(max);
    result.push(events.slice(i, i + size));
    i += size;
  }
  return result;
}

/**
 * A log of cart traffic with every case the carts projection has a rule for: creations, adds (new and
 * merged), quantity changes and removals (of lines there and not there), re-adds after a removal,
 * checkouts with their OrderPlaced (naming a product the cart does not hold too), events of carts that do
 * not exist yet, events after checkout, product ids in upper case, and events delivered a second time.
 */
function cartTraffic(seed: number, count: number): StoredEvent[] {
  const rng = random(seed);
  const log = new TestLog();
  const products = Array.from({ length: 8 }, () => randomUUID());
  const carts = Array.from({ length: 150 }, () => ({ id: randomUUID(), created: false, checkedOut: false, lines: new Map<string, number>() }));
  const events: StoredEvent[] = [];
  const cartEvent = (cartId: string, event: CartEvent) => log.event(cartId, CART_STREAM, event);
  while (events.length < count) {
    const cart = rng.pick(carts);
    const cartId = cart.id;
    const product = rng.pick(products);
    const productId = rng.next() < 0.1 ? product.toUpperCase() : product;
    const roll = rng.next();
    if (roll < 0.04 && events.length > 0) {
      events.push(rng.pick(events));
    } else if (!cart.created && roll < 0.9) {
      events.push(cartEvent(cartId, { type: 'CartCreated', data: { cartId, customerId: `customer-${rng.int(5)}` } }));
      cart.created = true;
    } else if (roll < 0.5) {
      const quantity = 1 + rng.int(5);
      events.push(cartEvent(cartId, { type: 'CartItemAdded', data: { cartId, productId, quantity } }));
      cart.lines.set(product, (cart.lines.get(product) ?? 0) + quantity);
    } else if (roll < 0.65) {
      const quantity = 1 + rng.int(9);
      events.push(cartEvent(cartId, { type: 'CartItemQuantityChanged', data: { cartId, productId, quantity } }));
      if (cart.lines.has(product)) cart.lines.set(product, quantity);
    } else if (roll < 0.8) {
      events.push(cartEvent(cartId, { type: 'CartItemRemoved', data: { cartId, productId } }));
      cart.lines.delete(product);
    } else if (roll < 0.85 || cart.checkedOut) {
      const orderId = randomUUID();
      const lines: OrderLine[] = [...cart.lines].map(([id, quantity], i) => ({ productId: id, sku: `SKU-${i}`, name: `Product ${i}`, quantity, unitPriceCents: 100 + rng.int(5000) }));
      if (rng.next() < 0.3) lines.push({ productId: randomUUID(), sku: 'GONE', name: 'Not in the cart', quantity: 1, unitPriceCents: 1 });
      // Checkout appends both in one transaction: they are neighbours in the log.
      events.push(cartEvent(cartId, { type: 'CartCheckedOut', data: { cartId, orderId } }));
      events.push(
        log.event(orderId, ORDER_STREAM, {
          type: 'OrderPlaced',
          data: {
            orderId,
            cartId,
            customerId: 'someone',
            lines,
            totalCents: orderTotal(lines),
            currency: 'EUR',
            shippingAddress: { name: 'A', line1: '1 Road', city: 'Paris', postalCode: '75001', country: 'FR' },
            placedAt: '2026-11-26T10:00:00.000Z',
          },
        }),
      );
      cart.checkedOut = true;
    } else {
      events.push(cartEvent(cartId, { type: 'CartCreated', data: { cartId, customerId: 'again' } }));
    }
  }
  return events;
}

/** Catalog traffic: creations (some twice), partial updates, stock moves both ways, events before a creation, repeats. */
function catalogTraffic(seed: number, count: number): StoredEvent[] {
  const rng = random(seed);
  const log = new TestLog();
  const products = Array.from({ length: 25 }, () => randomUUID());
  const events: StoredEvent[] = [];
  const event = (id: string, e: ProductEvent) => log.event(id, PRODUCT_STREAM, e);
  while (events.length < count) {
    const id = rng.pick(products);
    const productId = rng.next() < 0.1 ? id.toUpperCase() : id;
    const quantity = 1 + rng.int(20);
    const orderId = randomUUID();
    const roll = rng.next();
    if (roll < 0.04 && events.length > 0) events.push(rng.pick(events));
    else if (roll < 0.2)
      events.push(event(id, { type: 'ProductCreated', data: { productId, sku: `SKU-${rng.int(1000)}`, name: 'Thing', description: 'About it', priceCents: 100 + rng.int(900), stock: rng.int(50) } }));
    else if (roll < 0.35) {
      const data: { productId: string; name?: string; description?: string; priceCents?: number } = { productId };
      if (rng.next() < 0.5) data.name = rng.next() < 0.2 ? '' : `Name ${rng.int(100)}`;
      if (rng.next() < 0.5) data.description = `Description ${rng.int(100)}`;
      if (rng.next() < 0.5) data.priceCents = rng.int(10_000);
      events.push(event(id, { type: 'ProductUpdated', data }));
    } else if (roll < 0.5) events.push(event(id, { type: 'StockAdjusted', data: { productId, delta: rng.int(41) - 20 } }));
    else if (roll < 0.7) events.push(event(id, { type: 'StockReserved', data: { productId, orderId, quantity } }));
    else if (roll < 0.85) events.push(event(id, { type: 'StockReleased', data: { productId, orderId, quantity } }));
    else events.push(event(id, { type: 'StockShipped', data: { productId, orderId, quantity } }));
  }
  return events;
}

/**
 * Order traffic: placements (some twice) and every later event in any order, before and after the
 * placement, with times that need truncating to milliseconds and times in other zones, and repeats.
 */
function orderTraffic(seed: number, count: number): StoredEvent[] {
  const rng = random(seed);
  const log = new TestLog();
  const orders = Array.from({ length: 40 }, () => randomUUID());
  const events: StoredEvent[] = [];
  const event = (id: string, e: OrderEvent) => log.event(id, ORDER_STREAM, e);
  const time = () => `2026-${String(1 + rng.int(12)).padStart(2, '0')}-1${rng.int(10)}T0${rng.int(10)}:1${rng.int(10)}:00.${rng.pick(['000', '123456', '5', '999999'])}${rng.pick(['Z', '+02:00', '-05:30'])}`;
  while (events.length < count) {
    const id = rng.pick(orders);
    const orderId = rng.next() < 0.1 ? id.toUpperCase() : id;
    const roll = rng.next();
    if (roll < 0.04 && events.length > 0) events.push(rng.pick(events));
    else if (roll < 0.3) {
      const lines: OrderLine[] = Array.from({ length: 1 + rng.int(3) }, (_, i) => ({
        productId: randomUUID(),
        sku: `SKU-${i}`,
        name: `Product ${i}`,
        quantity: 1 + rng.int(5),
        unitPriceCents: rng.int(10_000),
      }));
      const shippingAddress = { name: 'A', line1: '1 Road', ...(rng.next() < 0.5 && { line2: 'Flat 2' }), city: 'Paris', postalCode: '75001', country: 'FR' };
      events.push(
        event(id, {
          type: 'OrderPlaced',
          data: { orderId, cartId: randomUUID(), customerId: `customer-${rng.int(5)}`, lines, totalCents: orderTotal(lines), currency: 'EUR', shippingAddress, placedAt: time() },
        }),
      );
    } else if (roll < 0.5) events.push(event(id, { type: 'OrderPaid', data: { orderId, amountCents: 1, paymentReference: `pay-${rng.int(100)}`, paidAt: time() } }));
    else if (roll < 0.7) events.push(event(id, { type: 'OrderShipped', data: { orderId, carrier: 'UPS', trackingNumber: `T${rng.int(100)}`, shippedAt: time() } }));
    else if (roll < 0.85) events.push(event(id, { type: 'OrderDelivered', data: { orderId, deliveredAt: time() } }));
    else events.push(event(id, { type: 'OrderCancelled', data: { orderId, reason: `reason ${rng.int(5)}`, cancelledAt: time() } }));
  }
  return events;
}

describe('applyBatch leaves exactly what the handlers leave', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
  });
  afterAll(() => close());

  /** Fresh copies of `tables`, suffixed: the handlers fill the one, applyBatch the other. */
  async function freshTables(tables: readonly string[], suffixes: readonly string[]): Promise<void> {
    for (const table of tables) {
      for (const suffix of suffixes) {
        await pool.query(`DROP TABLE IF EXISTS "${table}${suffix}"`);
        await pool.query(`CREATE TABLE "${table}${suffix}" (LIKE "${table}" INCLUDING ALL)`);
      }
    }
  }

  async function rowsOnlyIn(left: string, right: string): Promise<unknown[]> {
    return (await pool.query(`SELECT * FROM "${left}" EXCEPT ALL SELECT * FROM "${right}"`)).rows;
  }

  /** Applies `events` both ways, cut into the same random batches, and compares the tables row for row. */
  async function expectSameTables(projection: Projection, events: readonly StoredEvent[], seed: number, maxBatch: number): Promise<void> {
    await freshTables(projection.tables, ['_by_handlers', '_by_batch']);
    for (const batch of batches(events, random(seed), maxBatch)) {
      await applyEvents(pool, projection, batch, { table: (name) => `"${name}_by_handlers"`, via: 'handlers' });
      await applyEvents(pool, projection, batch, { table: (name) => `"${name}_by_batch"`, via: 'applyBatch' });
    }
    for (const table of projection.tables) {
      expect(await rowsOnlyIn(`${table}_by_handlers`, `${table}_by_batch`), `${table}: rows only the handlers wrote`).toEqual([]);
      expect(await rowsOnlyIn(`${table}_by_batch`, `${table}_by_handlers`), `${table}: rows only applyBatch wrote`).toEqual([]);
    }
  }

  it.each([
    [1, 500],
    [2, 37],
    [3, 5],
    [4, 1],
  ])('carts: seed %i, batches of up to %i events', async (seed, maxBatch) => {
    const carts = new CartsProjection();
    await expectSameTables(carts, cartTraffic(seed, 1500), seed, maxBatch);
    // The log did exercise the rules: open and checked-out carts, merged, frozen and reordered lines.
    const { rows } = await pool.query<{ checked_out: number; open: number; frozen: number; lines: number }>(`
      SELECT (SELECT count(*)::int FROM carts_view_by_batch WHERE status = 'checked_out') AS checked_out,
             (SELECT count(*)::int FROM carts_view_by_batch WHERE status = 'open') AS open,
             (SELECT count(*)::int FROM cart_lines_view_by_batch WHERE unit_price_cents IS NOT NULL) AS frozen,
             (SELECT count(*)::int FROM cart_lines_view_by_batch) AS lines`);
    expect(rows[0].checked_out).toBeGreaterThan(5);
    expect(rows[0].open).toBeGreaterThan(5);
    expect(rows[0].frozen).toBeGreaterThan(5);
    expect(rows[0].lines).toBeGreaterThan(rows[0].frozen);
  });

  it.each([
    [11, 500],
    [12, 23],
    [13, 1],
  ])('catalog: seed %i, batches of up to %i events', async (seed, maxBatch) => {
    await expectSameTables(new CatalogProjection(), catalogTraffic(seed, 1000), seed, maxBatch);
    const { rows } = await pool.query<{ n: number; updated: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE version > 3)::int AS updated FROM products_view_by_batch`,
    );
    expect(rows[0].n).toBeGreaterThan(15);
    expect(rows[0].updated).toBeGreaterThan(10);
  });

  it.each([
    [21, 500],
    [22, 23],
    [23, 1],
  ])('order-summary: seed %i, batches of up to %i events', async (seed, maxBatch) => {
    await expectSameTables(new OrderSummaryProjection(), orderTraffic(seed, 1000), seed, maxBatch);
    const { rows } = await pool.query<{ status: string }>(`SELECT DISTINCT status FROM order_summaries_by_batch ORDER BY status`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it('carts: a batch costs the same few statements however many events it holds', async () => {
    const carts = new CartsProjection();
    await freshTables(carts.tables, ['_counted']);
    const statements: number[] = [];
    for (const batch of batches(cartTraffic(5, 1000), random(5), 400)) {
      const client = await pool.connect();
      let count = 0;
      const counting = {
        query: (text: string, values?: unknown[]) => {
          count++;
          return client.query(text, values);
        },
      } as unknown as pg.PoolClient;
      const { ctx, flush } = projectionContext(counting, (name) => `"${name}_counted"`);
      try {
        await carts.applyBatch(batch.filter((event) => carts.handlers[event.type] !== undefined), ctx);
        await flush();
      } finally {
        client.release();
      }
      statements.push(count);
    }
    // One load, one write.
    expect(Math.max(...statements)).toBe(2);
  });
});
