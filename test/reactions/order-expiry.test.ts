import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PG_POOL } from '../../src/database/database.tokens.js';
import type { StoredEvent } from '../../src/event-store/event.js';
import { ManualClock } from '../../src/reactions/clock.js';
import { ReactionRunner } from '../../src/reactions/reaction-runner.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { shop } from '../support/shop.js';
import { waitFor } from '../projections/projections-test-app.js';

const HOUR_AND_A_MINUTE = 61 * 60_000;

interface TimerRow {
  id: string;
  due_at: Date;
  fired_at: Date | null;
  attempts: number;
  last_error: string | null;
}

/** The order's payment-timeout timer, once the reaction has scheduled it. */
function timerOf(t: TestApp, orderId: string): Promise<TimerRow> {
  const pool = t.app.get<pg.Pool>(PG_POOL);
  return waitFor(`the timer of order ${orderId}`, async () => {
    const { rows } = await pool.query<TimerRow>(`SELECT * FROM timers WHERE payload->>'orderId' = $1`, [orderId]);
    expect(rows.length).toBeLessThanOrEqual(1);
    return rows[0];
  });
}

function firedTimerOf(t: TestApp, orderId: string): Promise<TimerRow> {
  return waitFor(`the timer of order ${orderId} to fire`, async () => {
    const timer = await timerOf(t, orderId);
    return timer.fired_at ? timer : undefined;
  });
}

function cancellations(events: readonly StoredEvent[]): StoredEvent[] {
  return events.filter((event) => event.type === 'OrderCancelled');
}

async function stockAvailable(t: TestApp, productId: string, minPosition: string): Promise<number> {
  const res = await t.http().get(`/products/${productId}`).set('X-Min-Position', minPosition).expect(200);
  return res.body.stockAvailable;
}

describe('unpaid-order expiry, two instances on one database', () => {
  const clockA = new ManualClock();
  const clockB = new ManualClock();
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({}, { clock: clockA });
    b = await startTestApp({ DATABASE_URL: a.databaseUrl }, { clock: clockB });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });
  // Each test starts at the real time (orders are placed at it): a clock left hours ahead by the test
  // before would find a new order overdue as soon as its timer is scheduled.
  beforeEach(() => {
    const now = new Date();
    clockA.set(now);
    clockB.set(now);
  });
  const advanceBoth = (ms: number) => {
    clockA.advance(ms);
    clockB.advance(ms);
  };

  it('cancels orders still placed an hour after, once each, as the system, releasing their stock', async () => {
    const alice = a.token('alice');
    const sa = shop(a);
    const productId = await sa.product({ stock: 20 });
    const orders: string[] = [];
    // Placed through both instances: whichever runs the reaction and fires the timers, each order expires once.
    for (const t of [a, b, a, b, a, b]) {
      const cartId = await shop(t).cartWith(alice, [{ productId, quantity: 2 }]);
      const res = await shop(t).checkout(alice, cartId);
      expect(res.status).toBe(201);
      orders.push(res.body.id);
    }
    for (const orderId of orders) {
      const [placed] = await sa.stream(orderId);
      const timer = await timerOf(a, orderId);
      expect(timer.due_at.getTime()).toBe(Date.parse((placed.data as { placedAt: string }).placedAt) + 60 * 60_000);
      expect(timer.fired_at).toBeNull();
    }

    advanceBoth(HOUR_AND_A_MINUTE);
    for (const orderId of orders) await firedTimerOf(a, orderId);

    // Tokens are checked by the service's clock, now an hour ahead of the one alice's was signed by.
    const aliceNow = a.token('alice', undefined, { iat: Math.floor(clockA.now().getTime() / 1000) });
    let lastPosition = '0';
    for (const orderId of orders) {
      const [cancelled, ...more] = cancellations(await sa.stream(orderId));
      expect(more).toEqual([]);
      expect(cancelled.data).toMatchObject({ reason: 'payment timeout' });
      expect(cancelled.metadata.actor).toBe('system');
      const order = await a.http().get(`/orders/${orderId}`).set('Authorization', aliceNow).set('X-Min-Position', cancelled.position).expect(200);
      expect(order.body).toMatchObject({ status: 'cancelled', cancelReason: 'payment timeout' });
      if (BigInt(cancelled.position) > BigInt(lastPosition)) lastPosition = cancelled.position;
    }
    const released = (await sa.stream(productId)).filter((event) => event.type === 'StockReleased');
    expect(released.map((event) => (event.data as { orderId: string }).orderId).sort()).toEqual([...orders].sort());
    expect(await stockAvailable(a, productId, lastPosition)).toBe(20);
    // Exactly one of the instances fires the timers.
    expect([a, b].filter((t) => t.app.get(ReactionRunner).firesTimers)).toHaveLength(1);
  });

  it('leaves an order paid before its time alone, without an error', async () => {
    const alice = a.token('alice');
    const sa = shop(a);
    const { orderId, productId } = await sa.order(alice, { quantity: 3 });
    await sa.pay(alice, orderId);
    await timerOf(a, orderId);

    advanceBoth(HOUR_AND_A_MINUTE);
    const timer = await firedTimerOf(a, orderId);
    expect(timer).toMatchObject({ attempts: 0, last_error: null });
    const events = await sa.stream(orderId);
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderPaid']);
    expect(await stockAvailable(a, productId, events[1].position)).toBe(97);
    const health = await a.http().get('/health').expect(200);
    expect(health.body.details.timers).toMatchObject({ status: 'up', failing: 0 });
    expect(health.body.details.reactions['order-expiry']).toMatchObject({ status: 'running' });
  });

  it('does not expire an order a moment before its time', async () => {
    const alice = a.token('alice');
    const earlier = await shop(a).order(alice);
    const later = await shop(b).order(alice);
    const laterTimer = await timerOf(a, later.orderId);
    expect((await timerOf(a, earlier.orderId)).due_at.getTime()).toBeLessThan(laterTimer.due_at.getTime());
    // Both clocks to a millisecond before the later order's time: the earlier one expires, and the firer
    // that fired it has looked at the later one and left it.
    const justBefore = new Date(laterTimer.due_at.getTime() - 1);
    clockA.set(justBefore);
    clockB.set(justBefore);
    await firedTimerOf(a, earlier.orderId);
    expect((await timerOf(a, later.orderId)).fired_at).toBeNull();
    expect(await shop(a).types(later.orderId)).toEqual(['OrderPlaced']);
  });
});

describe('unpaid-order expiry across a restart', () => {
  it('fires, soon after start, a timeout that fell due while the service was down', async () => {
    const clock = new ManualClock();
    const first = await startTestApp({}, { clock });
    const alice = first.token('alice');
    let orderId: string;
    try {
      ({ orderId } = await shop(first).order(alice));
      await timerOf(first, orderId);
    } finally {
      await first.close();
    }
    // Back two hours later.
    const second = await startTestApp({ DATABASE_URL: first.databaseUrl }, { clock: new ManualClock(new Date(clock.now().getTime() + 2 * 60 * 60_000)) });
    try {
      await firedTimerOf(second, orderId);
      const [cancelled, ...more] = cancellations(await shop(second).stream(orderId));
      expect(more).toEqual([]);
      expect(cancelled).toMatchObject({ data: { reason: 'payment timeout' }, metadata: { actor: 'system' } });
    } finally {
      await second.close();
    }
  });

  it('schedules nothing with ORDER_PAYMENT_TIMEOUT_MINUTES=0', async () => {
    const t = await startTestApp({ ORDER_PAYMENT_TIMEOUT_MINUTES: '0' });
    try {
      const { orderId } = await shop(t).order(t.token('alice'));
      const pool = t.app.get<pg.Pool>(PG_POOL);
      // The reaction has handled the order once its checkpoint is past the order's event.
      const [placed] = await shop(t).stream(orderId);
      await waitFor('the reaction to pass the order', async () => {
        const { rows } = await pool.query<{ position: string }>(`SELECT position FROM reaction_checkpoints WHERE name = 'order-expiry'`);
        return BigInt(rows[0].position) >= BigInt(placed.position);
      });
      const { rows } = await pool.query(`SELECT * FROM timers`);
      expect(rows).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
