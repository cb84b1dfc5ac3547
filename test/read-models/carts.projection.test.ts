import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CART_STREAM, type CartEvent } from '../../src/modules/carts/cart.events.js';
import { ReadModelDb } from '../../src/database/read-model-db.js';
import { CartQueries } from '../../src/modules/carts/cart-queries.js';
import { CartsProjection } from '../../src/modules/carts/carts.projection.js';
import { CatalogProjection } from '../../src/modules/catalog/catalog.projection.js';
import { PRODUCT_STREAM } from '../../src/modules/catalog/product.events.js';
import { ORDER_STREAM, orderTotal, type OrderLine } from '../../src/modules/orders/order.events.js';
import { createMigratedDatabase } from '../support/database.js';
import { applyEvents, dataSourceFor, testConfig, TestLog, type ApplyVia } from './given-events.js';

describe.each<ApplyVia>(['handlers', 'applyBatch'])('carts projection (carts_view, cart_lines_view), through %s', (via) => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let queries: CartQueries;
  const carts = new CartsProjection();
  const catalog = new CatalogProjection();
  const log = new TestLog();

  const cartEvent = (cartId: string, event: CartEvent) => log.event(cartId, CART_STREAM, event);
  const applyCarts = (...events: Parameters<typeof applyEvents>[2]) => applyEvents(pool, carts, events, { via });

  async function newProduct(sku: string, name: string, priceCents: number): Promise<string> {
    const id = randomUUID();
    const created = log.event(id, PRODUCT_STREAM, {
      type: 'ProductCreated',
      data: { productId: id, sku, name, description: '', priceCents, stock: 100 },
    });
    await applyEvents(pool, catalog, [created]);
    return id;
  }

  async function reprice(productId: string, priceCents: number): Promise<void> {
    await applyEvents(pool, catalog, [log.event(productId, PRODUCT_STREAM, { type: 'ProductUpdated', data: { productId, priceCents } })]);
  }

  async function newCart(customerId = 'alice'): Promise<string> {
    const cartId = randomUUID();
    await applyCarts(cartEvent(cartId, { type: 'CartCreated', data: { cartId, customerId } }));
    return cartId;
  }

  const added = (cartId: string, productId: string, quantity: number) => cartEvent(cartId, { type: 'CartItemAdded', data: { cartId, productId, quantity } });

  let mug: string;
  let lamp: string;
  let pen: string;

  beforeAll(async () => {
    let url: string;
    ({ url, pool, close } = await createMigratedDatabase());
    dataSource = await dataSourceFor(url);
    queries = new CartQueries(new ReadModelDb(pool), testConfig);
    mug = await newProduct('MUG', 'Mug', 1200);
    lamp = await newProduct('LAMP', 'Lamp', 4500);
    pen = await newProduct('PEN', 'Pen', 150);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await close();
  });

  it('shows a new cart empty and open', async () => {
    const cartId = await newCart('alice');
    expect(await queries.findCart(cartId)).toEqual({
      id: cartId,
      customerId: 'alice',
      status: 'open',
      items: [],
      subtotalCents: 0,
      discount: null,
      totalCents: 0,
      currency: 'EUR',
      version: 1,
    });
  });

  it('answers carts asked for together each with its own lines, whatever the case of the id; one that is not a UUID is none and fails no other', async () => {
    const [alice, bob] = [await newCart('alice'), await newCart('bob')];
    await applyCarts(added(alice, mug, 1), added(bob, pen, 3));
    const found = await Promise.all([alice, 'not-a-uuid', bob.toUpperCase()].map((id) => queries.findCart(id)));
    expect(found.map((cart) => cart && [cart.customerId, cart.items.map((item) => [item.sku, item.quantity])])).toEqual([
      ['alice', [['MUG', 1]]],
      null,
      ['bob', [['PEN', 3]]],
    ]);
  });

  it('lists lines in the order products were first added, merging repeated adds into their line', async () => {
    const cartId = await newCart();
    await applyCarts(added(cartId, lamp, 1), added(cartId, mug, 2), added(cartId, pen, 3), added(cartId, lamp, 2));
    const cart = await queries.findCart(cartId);
    expect(cart?.items).toEqual([
      { productId: lamp, sku: 'LAMP', name: 'Lamp', quantity: 3, unitPriceCents: 4500, lineTotalCents: 13500 },
      { productId: mug, sku: 'MUG', name: 'Mug', quantity: 2, unitPriceCents: 1200, lineTotalCents: 2400 },
      { productId: pen, sku: 'PEN', name: 'Pen', quantity: 3, unitPriceCents: 150, lineTotalCents: 450 },
    ]);
    expect(cart).toMatchObject({ totalCents: 16350, version: 5 });
  });

  it('sets a line quantity and removes lines; a removed product added again goes last', async () => {
    const cartId = await newCart();
    await applyCarts(
      added(cartId, mug, 1),
      added(cartId, lamp, 1),
      added(cartId, pen, 1),
      cartEvent(cartId, { type: 'CartItemQuantityChanged', data: { cartId, productId: lamp, quantity: 7 } }),
      cartEvent(cartId, { type: 'CartItemRemoved', data: { cartId, productId: mug } }),
    );
    expect((await queries.findCart(cartId))?.items.map((i) => [i.sku, i.quantity])).toEqual([
      ['LAMP', 7],
      ['PEN', 1],
    ]);

    await applyCarts(added(cartId, mug, 4));
    const cart = await queries.findCart(cartId);
    expect(cart?.items.map((i) => [i.sku, i.quantity])).toEqual([
      ['LAMP', 7],
      ['PEN', 1],
      ['MUG', 4],
    ]);
    expect(cart?.version).toBe(7);
  });

  it("prices an open cart at the catalog's current prices", async () => {
    const product = await newProduct('CUP', 'Cup', 500);
    const cartId = await newCart();
    await applyCarts(added(cartId, product, 2));
    expect((await queries.findCart(cartId))?.totalCents).toBe(1000);
    await reprice(product, 650);
    expect(await queries.findCart(cartId)).toMatchObject({ totalCents: 1300, items: [{ unitPriceCents: 650, lineTotalCents: 1300 }] });
  });

  it('shows a checked-out cart at the prices its order was placed at, whatever the catalog does later', async () => {
    const product = await newProduct('BOWL', 'Bowl', 800);
    const cartId = await newCart('bob');
    const orderId = randomUUID();
    await applyCarts(added(cartId, product, 3), added(cartId, mug, 1));
    const lines: OrderLine[] = [
      { productId: product, sku: 'BOWL', name: 'Bowl', quantity: 3, unitPriceCents: 800 },
      { productId: mug, sku: 'MUG', name: 'Mug', quantity: 1, unitPriceCents: 1200 },
    ];
    // Checkout appends these together, in one transaction.
    await applyCarts(
      cartEvent(cartId, { type: 'CartCheckedOut', data: { cartId, orderId } }),
      log.event(orderId, ORDER_STREAM, {
        type: 'OrderPlaced',
        data: {
          orderId,
          cartId,
          customerId: 'bob',
          lines,
          totalCents: orderTotal(lines),
          currency: 'EUR',
          shippingAddress: { name: 'Bob', line1: '1 Road', city: 'Paris', postalCode: '75001', country: 'FR' },
          placedAt: '2026-11-26T10:00:00.000Z',
        },
      }),
    );
    await reprice(product, 999);

    expect(await queries.findCart(cartId)).toEqual({
      id: cartId,
      customerId: 'bob',
      status: 'checked_out',
      items: [
        { productId: product, sku: 'BOWL', name: 'Bowl', quantity: 3, unitPriceCents: 800, lineTotalCents: 2400 },
        { productId: mug, sku: 'MUG', name: 'Mug', quantity: 1, unitPriceCents: 1200, lineTotalCents: 1200 },
      ],
      subtotalCents: 3600,
      discount: null,
      totalCents: 3600,
      currency: 'EUR',
      version: 4,
    });
  });

  it('answers null for an unknown cart', async () => {
    expect(await queries.findCart(randomUUID())).toBeNull();
  });

  it('writes only to the tables ctx.table names (a rebuild writes shadow tables)', async () => {
    await pool.query('CREATE TABLE carts_view_shadow (LIKE carts_view INCLUDING ALL)');
    await pool.query('CREATE TABLE cart_lines_view_shadow (LIKE cart_lines_view INCLUDING ALL)');
    const cartId = randomUUID();
    await applyEvents(
      pool,
      carts,
      [cartEvent(cartId, { type: 'CartCreated', data: { cartId, customerId: 'dan' } }), added(cartId, mug, 1)],
      { table: (name) => `"${name}_shadow"`, via },
    );
    expect((await pool.query('SELECT quantity FROM cart_lines_view_shadow WHERE cart_id = $1', [cartId])).rows).toEqual([{ quantity: 1 }]);
    expect(await queries.findCart(cartId)).toBeNull();
  });
});
