import { deserialize, serialize } from 'node:v8';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { fold } from '../../src/event-store/decider.js';
import type { StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { SnapshotSettings } from '../../src/event-store/snapshot-settings.js';
import { snapshotShape } from '../../src/event-store/snapshot-shape.js';
import { SnapshotStore } from '../../src/event-store/snapshot-store.js';
import { address, type Shop } from '../support/shop.js';
import { useTestApp, type TestApp } from '../support/app.js';
import { moduleFolds, type AnyFold } from './snapshot-folds.js';

/** A fold applied to one stream of the shop's history, whose state it changes. */
interface Case {
  readonly name: string;
  readonly fold: AnyFold;
  readonly events: readonly StoredEvent[];
  readonly full: unknown;
}

// The app stores a snapshot every 2 events: the whole shop below runs on snapshot + tail loads.
const t = useTestApp({ SNAPSHOT_EVERY: '2' });
const alice = t.token('alice');
let pool: pg.Pool;
let cases: Case[];
let uncovered: string[];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: t.databaseUrl, max: 4 });
  await shopHistory(t, t.shop);
  await t.app.get(SnapshotStore).flush();
  const store = t.app.get(EventStore);
  const { rows } = await pool.query<{ stream_id: string }>('SELECT DISTINCT stream_id FROM events');
  const streams = await Promise.all(rows.map((row) => store.readStream(row.stream_id)));
  cases = [];
  uncovered = [];
  for (const { name, fold: f } of (await moduleFolds()).values()) {
    const before = cases.length;
    for (const events of streams) {
      let full: unknown;
      try {
        full = fold(f, events as never[]);
      } catch {
        continue; // another aggregate's stream: this fold refuses its events
      }
      if (!isEqual(full, f.initialState)) cases.push({ name, fold: f, events, full });
    }
    if (cases.length === before) uncovered.push(name);
  }
}, 120_000);

afterAll(() => pool?.end());

describe('snapshots', () => {
  it('cover every fold the modules declare: the shop history below gives each a stream it folds', () => {
    // A new module's fold shows up here: give it events in shopHistory.
    expect(uncovered).toEqual([]);
    expect(cases.length).toBeGreaterThan(10);
  });

  it('snapshot + tail equals the full fold, for every fold and every cut of every stream it folds', () => {
    for (const { name, fold: f, events, full } of cases) {
      for (let cut = 0; cut <= events.length; cut++) {
        const snapshot = deserialize(serialize(fold(f, events.slice(0, cut) as never[])));
        expect(fold(f, events.slice(cut) as never[], snapshot), `${name}, cut at ${cut}`).toStrictEqual(full);
      }
    }
  });

  it('a load through the store (snapshot row + tail read in SQL) equals the full fold, for every fold', async () => {
    const store = storeEvery('0');
    for (const { name, fold: f, events, full } of cases) {
      for (const cut of new Set([1, Math.ceil(events.length / 2), events.length])) {
        await plant(f, events, cut, fold(f, events.slice(0, cut) as never[]));
        const loaded = await store.load(f, events[0].streamId);
        expect(loaded.state, `${name}, snapshot at ${cut}`).toStrictEqual(full);
        expect(loaded).toMatchObject({ version: events.length, position: events.at(-1)?.position, snapshotVersion: cut });
      }
    }
  });

  it('a changed fold never reads the old shape’s snapshots, for every fold', async () => {
    const store = storeEvery('0');
    for (const { name, fold: f, events, full } of cases) {
      // A snapshot that lies (the initial state, at the head): read by this fold, it would show.
      await plant(f, events, events.length, f.initialState);
      expect((await store.load(f, events[0].streamId)).state, `${name}: the planted snapshot is read`).toStrictEqual(f.initialState);

      const bumped: AnyFold = { ...f, snapshotVersion: (f.snapshotVersion ?? 0) + 1 };
      // An edit of evolve's source (here a comment) is a new shape, with no number to bump.
      const edited: AnyFold = { initialState: f.initialState, evolve: (state, event) => /* edited */ f.evolve(state, event) };
      for (const changed of [bumped, edited]) {
        expect(snapshotShape(changed)).not.toBe(snapshotShape(f));
        const loaded = await store.load(changed, events[0].streamId);
        expect(loaded.state, `${name} after a change`).toStrictEqual(full);
        expect(loaded.snapshotVersion).toBe(0);
      }
    }
  });

  it('a snapshot ahead of the stream (a database restored from an older backup) is ignored', async () => {
    const { fold: f, events, full } = cases.find((c) => c.events.length > 1) ?? cases[0];
    await plant(f, events, events.length + 5, f.initialState);
    expect((await storeEvery('0').load(f, events[0].streamId)).state).toStrictEqual(full);
  });

  it('a shape is its source: initialState and snapshotVersion change it, the cart and checkout share one', async () => {
    const folds = [...(await moduleFolds()).values()].map((entry) => entry.name);
    expect(folds.some((name) => name.endsWith('checkoutDecider'))).toBe(false); // folded into the cart's shape
    const f = cases[0].fold;
    expect(snapshotShape({ ...f, initialState: { changed: true } })).not.toBe(snapshotShape(f));
    expect(snapshotShape({ ...f })).toBe(snapshotShape(f));
  });

  it('commands store snapshots as streams grow, and a cold load starts from one', async () => {
    const productId = await t.shop.product();
    const cartId = await t.shop.cart(alice);
    for (let i = 0; i < 5; i++) await t.shop.add(alice, cartId, productId, 1);
    await t.app.get(SnapshotStore).flush();
    const { rows } = await pool.query<{ version: number }>('SELECT version FROM stream_snapshots WHERE stream_id = $1', [cartId]);
    expect(rows.map((row) => row.version)).toEqual([6]);
    const cold = await storeEvery('0').load(cases.find((c) => c.events[0].streamType === 'cart')!.fold, cartId);
    expect(cold).toMatchObject({ version: 6, snapshotVersion: 6 });
  });

  it('a snapshot that cannot be stored fails no command', async () => {
    const productId = await t.shop.product();
    const cartId = await t.shop.cart(alice);
    // Reads still work; every write of a snapshot now fails.
    await pool.query('ALTER TABLE stream_snapshots ADD CONSTRAINT refuse_writes CHECK (false) NOT VALID');
    try {
      for (let i = 0; i < 3; i++) await t.shop.add(alice, cartId, productId, 1);
      await t.app.get(SnapshotStore).flush();
    } finally {
      await pool.query('ALTER TABLE stream_snapshots DROP CONSTRAINT refuse_writes');
    }
    expect(await t.shop.types(cartId)).toEqual(['CartCreated', 'CartItemAdded', 'CartItemAdded', 'CartItemAdded']);
    const { rows } = await pool.query('SELECT 1 FROM stream_snapshots WHERE stream_id = $1', [cartId]);
    expect(rows).toEqual([]);
  });
});

describe('SNAPSHOT_EVERY', () => {
  it('is a number for every stream type and/or type=number items; 0 is never; anything else stops the start', () => {
    const settings = new SnapshotSettings(' 100, product = 500,order=0');
    expect([settings.every('cart'), settings.every('product'), settings.every('order')]).toEqual([100, 500, 0]);
    expect(new SnapshotSettings('cart=5').every('product')).toBe(0);
    expect(loadConfig({}).SNAPSHOT_EVERY).toBe('100');
    for (const bad of ['x', '100,', 'cart=', '-1']) expect(() => loadConfig({ SNAPSHOT_EVERY: bad }), bad).toThrow(/SNAPSHOT_EVERY/);
  });
});

/** A store of its own that stores nothing by itself (`every`: SNAPSHOT_EVERY), on the app's database. */
function storeEvery(every: string): SnapshotStore {
  return new SnapshotStore(pool, { SNAPSHOT_EVERY: every } as AppConfig);
}

/** Stores `state` as the fold's snapshot of the stream at `version`, replacing any. */
async function plant(f: AnyFold, events: readonly StoredEvent[], version: number, state: unknown): Promise<void> {
  const { streamId, streamType } = events[0];
  await pool.query(
    `INSERT INTO stream_snapshots (stream_id, shape, stream_type, version, position, state) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (stream_id, shape) DO UPDATE SET version = excluded.version, position = excluded.position, state = excluded.state`,
    [streamId, snapshotShape(f), streamType, version, events[Math.min(version, events.length) - 1].position, serialize(state)],
  );
}

function isEqual(a: unknown, b: unknown): boolean {
  return serialize(a).equals(serialize(b));
}

/** A shop's life through the API: every module's commands, so that every aggregate type has streams. */
async function shopHistory(app: TestApp, shop: Shop): Promise<void> {
  const admin = shop.admin;
  const http = () => app.http();
  // Before a shipping method exists (then checkout must name one).
  const cancelled = await shop.order(alice);
  await shop.cancel(alice, cancelled.orderId);
  const [kettle, mug] = [await shop.product({ priceCents: 2500, stock: 10 }), await shop.product()];
  await http().patch(`/products/${kettle}`).set('Authorization', admin).send({ name: 'Kettle', priceCents: 3000 }).expect(200);
  await shop.adjustStock(mug, 5);
  const method = await http().post('/shipping-methods').set('Authorization', admin).send({ code: 'GB-STD', name: 'Standard', priceCents: 499, countries: ['GB'] }).expect(201);
  await http().patch(`/shipping-methods/${method.body.id}`).set('Authorization', admin).send({ priceCents: 599 }).expect(200);
  await http().put('/tax-rates/GB').set('Authorization', admin).send({ rateBasisPoints: 2000 }).expect(200);
  await http().post('/discount-codes').set('Authorization', admin).send({ code: 'SNAP10', kind: 'fixed', value: 100 }).expect(201);
  const other = await http().post('/discount-codes').set('Authorization', admin).send({ code: 'GONE', kind: 'fixed', value: 1 }).expect(201);
  await http().post(`/discount-codes/${other.body.id}/deactivate`).set('Authorization', admin).send({}).expect(200);

  const cartId = await shop.cartWith(alice, [{ productId: kettle, quantity: 1 }, { productId: mug, quantity: 2 }]);
  await http().put(`/carts/${cartId}/items/${mug}`).set('Authorization', alice).send({ quantity: 3 }).expect(200);
  await shop.add(alice, cartId, kettle, 1);
  await http().put(`/carts/${cartId}/discount`).set('Authorization', alice).send({ code: 'SNAP10' }).expect(200);
  await http().delete(`/carts/${cartId}/discount`).set('Authorization', alice).expect(200);
  await http().put(`/carts/${cartId}/discount`).set('Authorization', alice).send({ code: 'SNAP10' }).expect(200);
  const placed = await http().post(`/carts/${cartId}/checkout`).set('Authorization', alice).send({ shippingAddress: address, shippingMethodId: method.body.id }).expect(201);
  const orderId = placed.body.id as string;
  await shop.pay(alice, orderId);
  await shop.ship(orderId);
  await shop.deliver(orderId);


  const review = await http().post(`/products/${kettle}/reviews`).set('Authorization', alice).send({ rating: 4, text: 'Boils fast' }).expect(201);
  await http().patch(`/reviews/${review.body.id}`).set('Authorization', alice).send({ rating: 5 }).expect(200);
  await http().post(`/reviews/${review.body.id}/hide`).set('Authorization', admin).send({ reason: 'spam' }).expect(200);
  const removal = await shop.cartWith(alice, [{ productId: mug, quantity: 1 }]);
  await http().delete(`/carts/${removal}/items/${mug}`).set('Authorization', alice).expect(200);
}
