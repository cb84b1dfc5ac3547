import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelDb } from '../../src/database/read-model-db.js';
import { CatalogQueries } from '../../src/modules/catalog/catalog-queries.js';
import { CatalogProjection } from '../../src/modules/catalog/catalog.projection.js';
import { PRODUCT_STREAM, type ProductEvent } from '../../src/modules/catalog/product.events.js';
import { createMigratedDatabase } from '../support/database.js';
import { applyEvents, dataSourceFor, testConfig, TestLog, type ApplyVia } from './given-events.js';

describe.each<ApplyVia>(['handlers', 'applyBatch'])('catalog projection (products_view), through %s', (via) => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let queries: CatalogQueries;
  const projection = new CatalogProjection();
  const log = new TestLog();

  const product = (id: string, event: ProductEvent) => log.event(id, PRODUCT_STREAM, event);
  const created = (id: string, sku: string, name = 'Thing', priceCents = 1000, stock = 10) =>
    product(id, { type: 'ProductCreated', data: { productId: id, sku, name, description: `About ${name}`, priceCents, stock } });
  const apply = (...events: Parameters<typeof applyEvents>[2]) => applyEvents(pool, projection, events, { via });

  beforeAll(async () => {
    let url: string;
    ({ url, pool, close } = await createMigratedDatabase());
    dataSource = await dataSourceFor(url);
    queries = new CatalogQueries(new ReadModelDb(pool), testConfig);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await close();
  });

  it('creates a product with all its stock available', async () => {
    const id = randomUUID();
    await apply(created(id, 'MUG-RED', 'Red mug', 1299, 40));
    expect(await queries.findProduct(id)).toEqual({
      id,
      sku: 'MUG-RED',
      name: 'Red mug',
      description: 'About Red mug',
      priceCents: 1299,
      currency: 'EUR',
      stockOnHand: 40,
      stockAvailable: 40,
      version: 1,
    });
  });

  it('answers products asked for together each with its own, whatever the case of the id; one that is not a UUID is none and fails no other', async () => {
    const [mug, lamp] = [randomUUID(), randomUUID()];
    await apply(created(mug, 'MUG-BLUE', 'Blue mug', 1299, 5), created(lamp, 'LAMP-2', 'Lamp', 4500, 2));
    const found = await Promise.all([lamp.toUpperCase(), 'not-a-uuid', mug].map((id) => queries.findProduct(id)));
    expect(found.map((product) => product && [product.id, product.sku])).toEqual([[lamp, 'LAMP-2'], null, [mug, 'MUG-BLUE']]);
  });

  it('applies partial updates, keeping the fields an update does not name', async () => {
    const id = randomUUID();
    await apply(
      created(id, 'LAMP-1', 'Lamp', 5000),
      product(id, { type: 'ProductUpdated', data: { productId: id, priceCents: 4500 } }),
      product(id, { type: 'ProductUpdated', data: { productId: id, name: 'Desk lamp', description: '' } }),
    );
    expect(await queries.findProduct(id)).toMatchObject({ name: 'Desk lamp', description: '', priceCents: 4500, sku: 'LAMP-1', version: 3 });
  });

  it('tracks on hand and available through adjustments, reservations, releases and shipments', async () => {
    const id = randomUUID();
    const orderA = randomUUID();
    const orderB = randomUUID();
    await apply(
      created(id, 'PEN-1', 'Pen', 100, 10),
      product(id, { type: 'StockAdjusted', data: { productId: id, delta: 5 } }),
      product(id, { type: 'StockReserved', data: { productId: id, orderId: orderA, quantity: 4 } }),
      product(id, { type: 'StockReserved', data: { productId: id, orderId: orderB, quantity: 3 } }),
    );
    expect(await queries.findProduct(id)).toMatchObject({ stockOnHand: 15, stockAvailable: 8, version: 4 });

    await apply(
      product(id, { type: 'StockReleased', data: { productId: id, orderId: orderA, quantity: 4 } }),
      product(id, { type: 'StockShipped', data: { productId: id, orderId: orderB, quantity: 3 } }),
      product(id, { type: 'StockAdjusted', data: { productId: id, delta: -2 } }),
    );
    expect(await queries.findProduct(id)).toMatchObject({ stockOnHand: 10, stockAvailable: 10, version: 7 });
  });

  it('answers null for an unknown product', async () => {
    expect(await queries.findProduct(randomUUID())).toBeNull();
  });

  describe('search', () => {
    const prefix = `S${randomUUID().slice(0, 6)}`;
    const ids: string[] = [];

    beforeAll(async () => {
      const names = ['Blue Widget', 'green widget', 'Gadget', 'Widgetry 100%', 'Thing_a', 'Thingxa'];
      const events = names.map((name, i) => {
        const id = randomUUID();
        ids.push(id);
        return created(id, `${prefix}-${String.fromCharCode(69 - i)}`, name);
      });
      await apply(...events);
    });

    it('pages through every product in SKU order, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const result = await queries.searchProducts({ limit: 4, cursor });
        seen.push(...result.items.map((p) => p.sku));
        if (!result.nextCursor) break;
        expect(result.items).toHaveLength(4);
        cursor = result.nextCursor;
      }
      const all = await queries.searchProducts({ limit: 100 });
      expect(all.nextCursor).toBeNull();
      expect(seen).toEqual(all.items.map((p) => p.sku));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((sku) => sku.startsWith(prefix))).toHaveLength(6);
    });

    it('matches the name or the SKU, case-insensitively, as a substring', async () => {
      const widgets = await queries.searchProducts({ q: 'WIDGET', limit: 20 });
      expect(widgets.items.map((p) => p.name)).toEqual(['Widgetry 100%', 'green widget', 'Blue Widget']);
      expect(widgets.nextCursor).toBeNull();

      const bySku = await queries.searchProducts({ q: `${prefix.toLowerCase()}-c`, limit: 20 });
      expect(bySku.items.map((p) => p.name)).toEqual(['Gadget']);
    });

    it('treats LIKE wildcards in q as plain characters', async () => {
      expect((await queries.searchProducts({ q: '100%', limit: 20 })).items.map((p) => p.name)).toEqual(['Widgetry 100%']);
      expect((await queries.searchProducts({ q: 'g_a', limit: 20 })).items.map((p) => p.name)).toEqual(['Thing_a']);
    });

    it('pages a search with a cursor', async () => {
      const first = await queries.searchProducts({ q: 'widget', limit: 2 });
      expect(first.items.map((p) => p.name)).toEqual(['Widgetry 100%', 'green widget']);
      const second = await queries.searchProducts({ q: 'widget', limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((p) => p.name)).toEqual(['Blue Widget']);
      expect(second.nextCursor).toBeNull();
    });

    it('rejects a cursor it did not issue with 400 VALIDATION_FAILED', async () => {
      for (const cursor of ['nope', Buffer.from('["a"]').toString('base64url'), Buffer.from('["a","not-a-uuid"]').toString('base64url')]) {
        await expect(queries.searchProducts({ limit: 2, cursor })).rejects.toMatchObject({
          status: 400,
          response: { code: 'VALIDATION_FAILED' },
        });
      }
    });
  });

  it('writes only to the tables ctx.table names (a rebuild writes shadow tables)', async () => {
    await pool.query('CREATE TABLE products_view_shadow (LIKE products_view INCLUDING ALL)');
    const id = randomUUID();
    await applyEvents(pool, projection, [created(id, 'SHADOW-1')], { table: (name) => `"${name}_shadow"`, via });
    expect((await pool.query('SELECT sku FROM products_view_shadow WHERE id = $1', [id])).rows).toEqual([{ sku: 'SHADOW-1' }]);
    expect(await queries.findProduct(id)).toBeNull();
  });
});
