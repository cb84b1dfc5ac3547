import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_POOL } from '../../src/database/database.tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { shop } from '../support/shop.js';

const PROJECTIONS = ['carts', 'catalog', 'order-summary', 'sales-report'];

/** One sample of a Prometheus text exposition, matched on its name and exactly its labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ? match[2].split(',') : []).sort();
    if (have.length === wanted.length && have.every((label, i) => label === wanted[i])) return Number(match[3]);
  }
  return undefined;
}

describe('metrics', () => {
  let t: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // A second instance on the same database: the way a real concurrency conflict happens.
    other = await startTestApp({ DATABASE_URL: t.databaseUrl });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  const scrape = async () => (await t.http().get('/metrics').expect(200)).text;

  it('counts commands handled, refused by code, retried, conflicts and events appended', async () => {
    const s = shop(t);
    const alice = t.token('alice');
    const productId = await s.product();
    const cart = await s.cart(alice);
    const before = await scrape();
    const count = (text: string, name: string, labels?: Record<string, string>) => sample(text, name, labels) ?? 0;

    await s.add(alice, cart, productId, 600);
    // Refused: a stale If-Match.
    await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).set('If-Match', '"7"').send({ productId, quantity: 1 }).expect(412);
    // Refused by the decider: a line holds at most 1000.
    await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 401 }).expect(409);
    await s.add(alice, cart, productId, 1);
    // The other instance appends behind this one's back: this one's cached cart is stale, its append
    // loses the race, and it decides the command again.
    await other.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200);
    const raced = await t.http().post(`/carts/${cart}/items`).set('Authorization', alice).send({ productId, quantity: 1 }).expect(200);
    expect(raced.body.version).toBe(5);

    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => count(after, name, labels) - count(before, name, labels);
    // Metrics are per process, and both instances run in this one: six commands, four events.
    expect(delta('eventshop_commands_handled_total')).toBe(6);
    expect(delta('eventshop_commands_refused_total', { code: 'WRONG_EXPECTED_VERSION' })).toBe(1);
    expect(delta('eventshop_commands_refused_total', { code: 'LINE_QUANTITY_EXCEEDED' })).toBe(1);
    expect(delta('eventshop_concurrency_conflicts_total')).toBe(1);
    expect(delta('eventshop_command_retries_total')).toBe(1);
    expect(delta('eventshop_events_appended_total')).toBe(4);
    // Five statements: the one that lost the race too.
    expect(delta('eventshop_group_commit_batch_commands_count')).toBe(5);
    expect(after).toContain('# TYPE eventshop_group_commit_batch_commands histogram');
  });

  it("reports each projection's position, lag and batch durations, and the pools", async () => {
    const s = shop(t);
    const productId = await s.product();
    const position = (await s.stream(productId))[0].position;
    let text = '';
    // Polled with a deadline: the projections catch up in the background.
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      text = await scrape();
      if (PROJECTIONS.every((p) => (sample(text, 'eventshop_projection_position', { projection: p }) ?? 0) >= Number(position))) break;
    }
    for (const projection of PROJECTIONS) {
      expect(sample(text, 'eventshop_projection_position', { projection })).toBeGreaterThanOrEqual(Number(position));
      expect(sample(text, 'eventshop_projection_lag_events', { projection })).toBe(0);
      expect(sample(text, 'eventshop_projection_lag_seconds', { projection })).toBe(0);
      expect(sample(text, 'eventshop_projection_failures_total', { projection })).toBe(0);
    }
    expect(sample(text, 'eventshop_projection_batch_duration_seconds_count', { projection: 'catalog' })).toBeGreaterThan(0);
    for (const pool of ['main', 'projection-batches']) {
      for (const state of ['in_use', 'idle', 'waiting']) expect(sample(text, `eventshop_db_pool_${state}`, { pool })).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts the connections checked out of the main pool', async () => {
    const client = await t.app.get<pg.Pool>(PG_POOL).connect();
    try {
      expect(sample(await scrape(), 'eventshop_db_pool_in_use', { pool: 'main' })).toBeGreaterThanOrEqual(1);
    } finally {
      client.release();
    }
  });

  it('shows the lag of a projection that falls behind, in events and seconds', async () => {
    const s = shop(t);
    // Hold the catalog's checkpoint row: its batches cannot commit, so it falls behind.
    const blocker = new pg.Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM projection_checkpoints WHERE name = 'catalog' FOR UPDATE`);
      await s.product();
      await s.product();
      await new Promise((r) => setTimeout(r, 1100));
      const text = await scrape();
      expect(sample(text, 'eventshop_projection_lag_events', { projection: 'catalog' })).toBe(2);
      expect(sample(text, 'eventshop_projection_lag_seconds', { projection: 'catalog' })).toBeGreaterThanOrEqual(1);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
  });
});
