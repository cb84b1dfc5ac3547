/**
 * Data the bench writes straight into PostgreSQL, where arranging it through the API would take longer
 * than the measurement. Events get the shapes of src/modules/<module>/<x>.events.ts, and the metadata the
 * command runner writes; read-model rows (order_summaries) the shape of the order-summary projection.
 */

const METADATA = `jsonb_build_object('correlationId', gen_random_uuid(), 'causationId', gen_random_uuid(), 'actor', %ACTOR%)`;
const metadata = (actor) => METADATA.replace('%ACTOR%', actor);

/**
 * `count` carts, each created by customer `${customerPrefix}${n % customers}` and holding `lines` lines of
 * quantity 1. Cart n takes the products n*lines .. n*lines+lines-1 (modulo the list), so consecutive
 * carts never share a product while there are more than lines x (carts in flight) products.
 * Returns [{ cartId, customerId }] in cart order.
 */
export async function seedCarts(pool, { count, customers, customerPrefix, productIds, lines, firstIndex = 0, discount = null }) {
  const { rows } = await pool.query(
    `WITH carts AS MATERIALIZED (
       SELECT g, gen_random_uuid() AS cart_id, $2::text || (g % $3::int) AS customer_id
       FROM generate_series($4::int, $5::int) g
     ), ev AS (
       SELECT c.g, c.cart_id, c.customer_id, 1 AS version, 'CartCreated' AS type,
              jsonb_build_object('cartId', c.cart_id, 'customerId', c.customer_id) AS data
       FROM carts c
       UNION ALL
       SELECT c.g, c.cart_id, c.customer_id, 1 + k, 'CartItemAdded',
              jsonb_build_object('cartId', c.cart_id,
                                 'productId', ($1::uuid[])[1 + ((c.g * $6 + k - 1) % cardinality($1::uuid[]))],
                                 'quantity', 1)
       FROM carts c CROSS JOIN generate_series(1, $6) k
       UNION ALL
       -- With a discount ({codeId, code}): the cart holds that code, as PUT /carts/:id/discount writes it.
       SELECT c.g, c.cart_id, c.customer_id, 2 + $6, 'CartDiscountApplied',
              jsonb_build_object('cartId', c.cart_id, 'codeId', $7::uuid, 'code', $8::text)
       FROM carts c WHERE $7::uuid IS NOT NULL
     ), inserted AS (
       INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
       SELECT gen_random_uuid(), cart_id, 'cart', version, type, data, ${metadata('customer_id')}
       FROM ev ORDER BY g, version
       RETURNING 1
     )
     SELECT cart_id, customer_id FROM carts WHERE (SELECT count(*) FROM inserted) > 0 ORDER BY g`,
    [productIds, customerPrefix, customers, firstIndex, firstIndex + count - 1, lines, discount?.codeId ?? null, discount?.code ?? null],
  );
  return rows.map((r) => ({ cartId: r.cart_id, customerId: r.customer_id }));
}

/**
 * One cart whose stream holds `events` events: CartCreated, then CartItemAdded and CartItemRemoved of
 * `productId` in turn, so the cart stays small however long its history. Returns the cart id.
 */
export async function seedLongCart(pool, { events, customerId, productId }) {
  const { rows } = await pool.query(
    `WITH cart AS MATERIALIZED (SELECT gen_random_uuid() AS id), inserted AS (
       INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
       SELECT gen_random_uuid(), cart.id, 'cart', v,
              CASE WHEN v = 1 THEN 'CartCreated' WHEN v % 2 = 0 THEN 'CartItemAdded' ELSE 'CartItemRemoved' END,
              CASE WHEN v = 1 THEN jsonb_build_object('cartId', cart.id, 'customerId', $2::text)
                   WHEN v % 2 = 0 THEN jsonb_build_object('cartId', cart.id, 'productId', $3::uuid, 'quantity', 1)
                   ELSE jsonb_build_object('cartId', cart.id, 'productId', $3::uuid) END,
              ${metadata('$2::text')}
       FROM cart CROSS JOIN generate_series(1, $1::int) v
       ORDER BY v
       RETURNING 1
     )
     SELECT id FROM cart WHERE (SELECT count(*) FROM inserted) = $1`,
    [events, customerId, productId],
  );
  if (rows.length !== 1) throw new Error('seeding a long cart stream failed');
  return rows[0].id;
}

/** ProductCreated events (no SKU claims: only for a database no service writes to). Returns the ids. */
export async function seedProducts(pool, { count, stock }) {
  const { rows } = await pool.query(
    `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
     SELECT gen_random_uuid(), p.id, 'product', 1, 'ProductCreated',
            jsonb_build_object('productId', p.id, 'sku', 'RAW-' || p.g, 'name', 'Raw product ' || p.g, 'description', '',
                               'priceCents', 100 + p.g, 'stock', $2::int),
            ${metadata(`'bench-admin'`)}
     FROM (SELECT g, gen_random_uuid() AS id FROM generate_series(1, $1::int) g) p
     RETURNING stream_id`,
    [count, stock],
  );
  return rows.map((r) => r.stream_id);
}

/** `count` carts holding only their CartCreated event. Returns [{ cartId, customerId }]. */
export async function seedEmptyCarts(pool, { count, customers, customerPrefix }) {
  return seedCarts(pool, { count, customers, customerPrefix, productIds: ['00000000-0000-0000-0000-000000000000'], lines: 0 });
}

/**
 * Cart events for a projection rebuild: carts of one CartCreated and `linesPerCart` CartItemAdded, in
 * chunks of `chunk` events per statement (each its own transaction, as real traffic would be).
 */
export async function seedCartLog(pool, { events, linesPerCart = 4, chunk = 100_000, onChunk }) {
  const perCart = 1 + linesPerCart;
  const carts = Math.ceil(events / perCart);
  const cartsPerChunk = Math.max(1, Math.floor(chunk / perCart));
  const productIds = (await pool.query('SELECT array_agg(gen_random_uuid()) AS ids FROM generate_series(1, 500)')).rows[0].ids;
  for (let first = 0; first < carts; first += cartsPerChunk) {
    const count = Math.min(cartsPerChunk, carts - first);
    await seedCarts(pool, { count, customers: 5000, customerPrefix: 'rebuild-', productIds, lines: linesPerCart, firstIndex: first });
    onChunk?.(Math.min(events, (first + count) * perCart));
  }
}

/**
 * `count` rows straight into the order-summary read model (no events behind them): customers
 * `${customerPrefix}0..customers-1`, placed one every 31 s going back from now (1M orders ~ one year),
 * statuses 20% placed, 20% paid, 20% shipped, 30% delivered, 10% cancelled.
 */
export async function seedOrderSummaries(pool, { count, customers, customerPrefix, chunk = 100_000, onChunk }) {
  for (let first = 0; first < count; first += chunk) {
    const last = Math.min(count, first + chunk) - 1;
    await pool.query(
      `INSERT INTO order_summaries
         (id, customer_id, cart_id, status, total_cents, currency, item_count, items, shipping_address,
          placed_at, paid_at, shipped_at, delivered_at, cancelled_at, cancel_reason, payment_reference,
          updated_at, version)
       SELECT id, customer_id, gen_random_uuid(), status, 1000 + g % 5000, 'USD', 1 + g % 3,
              jsonb_build_array(jsonb_build_object('productId', gen_random_uuid(), 'sku', 'SKU-' || g % 1000,
                'name', 'Product ' || g % 1000, 'quantity', 1 + g % 3, 'unitPriceCents', 1000, 'lineTotalCents', 1000 * (1 + g % 3))),
              '{"name":"Ada Lovelace","line1":"12 Analytical St","city":"London","postalCode":"N1 9GU","country":"GB"}'::jsonb,
              placed_at,
              CASE WHEN status IN ('paid', 'shipped', 'delivered') THEN placed_at + interval '1 hour' END,
              CASE WHEN status IN ('shipped', 'delivered') THEN placed_at + interval '1 day' END,
              CASE WHEN status = 'delivered' THEN placed_at + interval '3 days' END,
              CASE WHEN status = 'cancelled' THEN placed_at + interval '2 hours' END,
              CASE WHEN status = 'cancelled' THEN 'changed my mind' END,
              CASE WHEN status IN ('paid', 'shipped', 'delivered') THEN 'pay-' || g END,
              placed_at, 1
       FROM (
         SELECT g, gen_random_uuid() AS id, $1::text || (g % $2::int) AS customer_id,
                date_trunc('milliseconds', now() - g * interval '31 seconds') AS placed_at,
                (ARRAY['placed','placed','paid','paid','shipped','shipped','delivered','delivered','delivered','cancelled'])[1 + (g * 7) % 10] AS status
         FROM generate_series($3::int, $4::int) g
       ) o`,
      [customerPrefix, customers, first, last],
    );
    onChunk?.(last + 1);
  }
  // Vacuumed too, not only analyzed: a million inserted rows pass autovacuum's insert threshold, and its
  // vacuum (every page's hint bits written, and WAL-logged with data checksums) would otherwise land in
  // the middle of the measured runs, as it would not in a service whose rows came in over a year.
  await pool.query('VACUUM (ANALYZE) order_summaries');
}
