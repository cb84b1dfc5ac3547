import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/event-store/event.js';
import { CartDiscountsProjection } from '../../src/modules/carts/cart-discounts.projection.js';
import { CartsProjection } from '../../src/modules/carts/carts.projection.js';
import { CatalogProjection } from '../../src/modules/catalog/catalog.projection.js';
import { DiscountsProjection } from '../../src/modules/discounts/discounts.projection.js';
import { OrderSummaryProjection } from '../../src/modules/orders/order-summary.projection.js';
import { SalesReportProjection } from '../../src/modules/reports/sales-report.projection.js';
import { ShippingProjection, TaxRatesProjection } from '../../src/modules/shipping/shipping.projection.js';
import { projectionContext } from '../../src/projections/batch-applier.js';
import type { Projection } from '../../src/projections/projection.js';
import { eventKey, evolveRow, handles, keyString } from '../../src/projections/read-model.js';
import { ReadModelProjection } from '../../src/projections/read-model-projection.js';
import { loadRows } from '../../src/projections/read-model-sql.js';
import { createMigratedDatabase } from '../support/database.js';
import { cartDiscountLogs, cartLogs, catalogLogs, discountLogs, orderLogs, shippingLogs } from './valid-event-logs.js';

/**
 * The projection spec kit: for every read model, random logs the write side could have written give the
 * same tables whether each event is applied alone (its handler: what a live batch of one does, and what
 * a failing batch falls back to) or the log is cut into random batches (`applyBatch`: live batches, and
 * a rebuild's or verify's replay, which are the same batches, larger). A declared read model's tables
 * also load back as exactly the rows its evolve folds in memory, and each batch costs one load and one
 * write. A new read model gets a line here, with a generator of its events (valid-event-logs.ts).
 */
const specs: Array<{ projection: Projection; logs: fc.Arbitrary<StoredEvent[]> }> = [
  { projection: new CatalogProjection(), logs: catalogLogs },
  { projection: new CartsProjection(), logs: cartLogs },
  { projection: new OrderSummaryProjection(), logs: orderLogs },
  { projection: new SalesReportProjection(), logs: orderLogs },
  { projection: new CartDiscountsProjection(), logs: cartDiscountLogs },
  { projection: new DiscountsProjection(), logs: discountLogs },
  { projection: new ShippingProjection(), logs: shippingLogs },
  { projection: new TaxRatesProjection(), logs: shippingLogs },
];

describe('projection spec: per event, in batches and in memory, the same tables', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
  });
  afterAll(() => close());

  async function freshTables(tables: readonly string[], suffix: string): Promise<void> {
    for (const table of tables) {
      await pool.query(`DROP TABLE IF EXISTS "${table}${suffix}"; CREATE TABLE "${table}${suffix}" (LIKE "${table}" INCLUDING ALL)`);
    }
  }

  /** Applies `run` in one transaction on the suffixed tables; answers how many statements it sent. */
  async function inTransaction(suffix: string, run: (ctx: ReturnType<typeof projectionContext>['ctx']) => Promise<void>): Promise<number> {
    const client = await pool.connect();
    let statements = 0;
    const counting = { query: (text: string, values?: unknown[]) => (statements++, client.query(text, values)) } as unknown as pg.PoolClient;
    const { ctx, flush } = projectionContext(counting, (name) => `"${name}${suffix}"`);
    try {
      await client.query('BEGIN');
      await run(ctx);
      await flush();
      await client.query('COMMIT');
      return statements;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async function rowsOnlyIn(left: string, right: string): Promise<unknown[]> {
    return (await pool.query(`SELECT * FROM "${left}" EXCEPT ALL SELECT * FROM "${right}"`)).rows;
  }

  it.each(specs.map((spec) => [spec.projection.name, spec] as const))('%s', async (_name, { projection, logs }) => {
    const cuts = fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(logs, cuts, async (log, sizes) => {
        const events = log.filter((event) => projection.handlers[event.type] !== undefined);
        await freshTables(projection.tables, '_per_event');
        await freshTables(projection.tables, '_batched');
        await inTransaction('_per_event', async (ctx) => {
          for (const event of events) await projection.handlers[event.type](event, ctx);
        });
        for (let i = 0, cut = 0; i < events.length; cut++) {
          const batch = events.slice(i, i + sizes[cut % sizes.length]);
          i += batch.length;
          const statements = await inTransaction('_batched', (ctx) => projection.applyBatch!(batch, ctx));
          if (projection instanceof ReadModelProjection) expect(statements, 'one load and one write a batch').toBeLessThanOrEqual(2);
        }
        for (const table of projection.tables) {
          expect(await rowsOnlyIn(`${table}_per_event`, `${table}_batched`), `${table}: rows only the per-event path wrote`).toEqual([]);
          expect(await rowsOnlyIn(`${table}_batched`, `${table}_per_event`), `${table}: rows only the batches wrote`).toEqual([]);
        }
        if (projection instanceof ReadModelProjection) await expectRowsAsFolded(projection, events);
      }),
      { numRuns: 12 },
    );
  });

  /** The batched tables hold, and load back as, exactly the rows the evolve folds in memory. */
  async function expectRowsAsFolded(projection: ReadModelProjection<never, unknown>, events: readonly StoredEvent[]): Promise<void> {
    const { model } = projection;
    const folded = new Map<string, unknown>();
    const keys = new Map<string, unknown[]>();
    for (const event of events) {
      if (!handles(model, event)) continue;
      const values = eventKey(model, event);
      const key = keyString(values);
      keys.set(key, values);
      folded.set(key, evolveRow(model, key, folded.get(key) ?? null, event));
    }
    const loaded = new Map<string, unknown>();
    await inTransaction('_batched', async (ctx) => {
      for (const [key, row] of await loadRows(ctx, model.table, keys)) loaded.set(key, row);
    });
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${model.table.name}_batched"`);
    expect(rows[0].n, 'no row the fold does not have').toBe(loaded.size);
    expect(loaded).toEqual(new Map([...folded].filter(([, row]) => row !== null)));
  }
});
