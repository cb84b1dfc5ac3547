/* global fetch, AbortSignal */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** One attempt may hang on a dying connection; after this long it counts as lost and is retried. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** Pauses before retrying a command whose connection died or that was answered 5xx (the service restarts): 100, 200, 400, 500, 500... ms. */
const retryDelayMs = (retry) => Math.min(100 * 2 ** retry, 500);

const ADDRESS = { name: 'Chaos Monkey', line1: '1 Crash Lane', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * Sends commands as a careful client does: each with its own `Idempotency-Key`, which is also its
 * `X-Request-Id` (so the service writes it into the events' `correlationId`), retried with the same
 * key and body after a lost connection or a 5xx until the service answers. Every command is recorded
 * in `ledger` with its final answer, for the audit against the log.
 */
export function commandClient(baseUrl, { givingUp }) {
  const ledger = [];
  const figures = { attempts: 0, retries: 0, serverErrors: 0, inFlight: 0 };

  async function send(kind, path, auth, body) {
    const entry = { key: randomUUID(), kind, path, attempts: 0, outcome: 'unanswered', status: undefined, answer: undefined, replayed: false };
    ledger.push(entry);
    figures.inFlight++;
    try {
      for (;;) {
        entry.attempts++;
        figures.attempts++;
        const answer = await attempt(path, auth, body, entry.key);
        if (answer && answer.status < 500) {
          Object.assign(entry, answer, { outcome: answer.status < 300 ? 'acknowledged' : 'refused' });
          return entry;
        }
        if (answer) figures.serverErrors++;
        if (givingUp()) return entry;
        await sleep(retryDelayMs(entry.attempts - 1));
        figures.retries++;
      }
    } finally {
      figures.inFlight--;
    }
  }

  async function attempt(path, auth, body, key) {
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': key, 'x-request-id': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await res.text();
      // A replay answers a retry whose first attempt was applied but whose answer a kill cut off.
      return { status: res.status, answer: text ? JSON.parse(text) : undefined, replayed: res.headers.get('idempotent-replayed') === 'true' };
    } catch {
      // Refused, reset or timed out: the command may or may not have been applied. Retry with its key.
      return undefined;
    }
  }

  /** An order's total, rebuilt by the service from the order's events (no read model involved). */
  async function orderTotal(orderId, auth) {
    while (!givingUp()) {
      try {
        const res = await fetch(`${baseUrl}/orders/${orderId}?version=1`, { headers: { authorization: auth }, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        const body = await res.json();
        if (res.status === 200) return body.totalCents;
        if (res.status < 500) return undefined;
      } catch {
        // the service is restarting
      }
      await sleep(retryDelayMs(0));
    }
    return undefined;
  }

  return { ledger, figures, send, orderTotal };
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const between = (min, max) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * The catalog the shoppers buy from: `count` products, the first one scarce and popular, so that some
 * checkouts are refused (409 INSUFFICIENT_STOCK, nothing written) and the audit sees refusals too.
 */
export async function seedProducts(client, admin, count) {
  const products = [];
  for (let i = 0; i < count; i++) {
    const created = await client.send('create product', '/products', admin, productBody(i === 0 ? 10 : 100_000));
    if (created.outcome === 'acknowledged') products.push(created.answer.id);
  }
  if (products.length === 0) throw new Error('no product could be created: the service refused every POST /products');
  return products;
}

/**
 * The load: `shoppers` customers each filling a cart, checking out, paying and sometimes cancelling,
 * over and over, and one admin creating products and restocking them (racing the checkouts' stock
 * reservations on the same product streams). `stopped()` is checked before each command, so a stop
 * lets every command already sent finish (and be retried to an answer).
 */
export function runLoad({ client, token, admin, products, shoppers, stopped }) {
  const shopper = async (i) => {
    const customer = token(`chaos-customer-${i}`);
    while (!stopped()) {
      const cart = await client.send('create cart', '/carts', customer, {});
      if (cart.outcome !== 'acknowledged') {
        await sleep(50);
        continue;
      }
      const cartId = cart.answer.id;
      for (let n = between(1, 3); n > 0 && !stopped(); n--) {
        const productId = Math.random() < 0.15 ? products[0] : pick(products);
        await client.send('add item', `/carts/${cartId}/items`, customer, { productId, quantity: between(1, 3) });
      }
      if (stopped()) break;
      const checkout = await client.send('checkout', `/carts/${cartId}/checkout`, customer, { shippingAddress: ADDRESS });
      if (checkout.outcome !== 'acknowledged') continue;
      const orderId = checkout.answer.id;
      if (Math.random() < 0.7 && !stopped()) {
        const amountCents = await client.orderTotal(orderId, customer);
        if (amountCents !== undefined && !stopped()) {
          await client.send('pay', `/orders/${orderId}/pay`, customer, { amountCents, paymentReference: `chaos-${checkout.key}` });
        }
      }
      if (Math.random() < 0.3 && !stopped()) await client.send('cancel', `/orders/${orderId}/cancel`, customer, { reason: 'chaos test' });
    }
  };
  const merchant = async () => {
    while (!stopped()) {
      if (Math.random() < 0.3) {
        const created = await client.send('create product', '/products', admin, productBody());
        if (created.outcome === 'acknowledged') products.push(created.answer.id);
      } else {
        await client.send('restock', `/products/${pick(products.slice(1))}/stock`, admin, { delta: between(1, 100) });
      }
      await sleep(50);
    }
  };
  return Promise.all([merchant(), ...Array.from({ length: shoppers }, (_, i) => shopper(i))]);
}

function productBody(stock = 100_000) {
  return { sku: `CHAOS-${randomUUID().slice(0, 13)}`, name: 'Chaos thing', priceCents: between(100, 5000), stock };
}
