import { Injectable } from '@nestjs/common';
import { ProjectionProvider, type Projection } from '../../projections/projection.js';
import type { ShippingMethodChanged, ShippingMethodCreated, TaxRateSet } from './shipping.events.js';

export const SHIPPING_READ_MODEL = 'shipping';

/**
 * Builds `shipping_methods_view` and `tax_rates_view`. Each list is one stream, so a row keeps the
 * version of the last event that changed it and an event at or below it changes nothing (applying an
 * event twice is harmless). Few events, ever: no `applyBatch`.
 */
@ProjectionProvider()
@Injectable()
export class ShippingProjection implements Projection {
  readonly name = SHIPPING_READ_MODEL;
  readonly tables = ['shipping_methods_view', 'tax_rates_view'];

  readonly handlers: Projection['handlers'] = {
    ShippingMethodCreated: async (event, ctx) => {
      const { methodId, code, name, priceCents, freeOverCents, countries } = event.data as ShippingMethodCreated['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('shipping_methods_view')} (id, code, name, price_cents, free_over_cents, countries, active, version)
         VALUES ($1, $2, $3, $4, $5, $6, true, $7) ON CONFLICT (id) DO NOTHING`,
        [methodId, code, name, priceCents, freeOverCents, countries, event.version],
      );
    },
    ShippingMethodChanged: async (event, ctx) => {
      const { methodId, name, priceCents, freeOverCents, countries, active } = event.data as ShippingMethodChanged['data'];
      // The event holds only what changed; a null threshold (cleared) differs from an absent one.
      await ctx.client.query(
        `UPDATE ${ctx.table('shipping_methods_view')}
         SET name = coalesce($3, name), price_cents = coalesce($4, price_cents),
             free_over_cents = CASE WHEN $5 THEN $6::integer ELSE free_over_cents END,
             countries = coalesce($7, countries), active = coalesce($8, active), version = $2
         WHERE id = $1 AND version < $2`,
        [methodId, event.version, name ?? null, priceCents ?? null, freeOverCents !== undefined, freeOverCents ?? null, countries ?? null, active ?? null],
      );
    },
    TaxRateSet: async (event, ctx) => {
      const { country, rateBasisPoints } = event.data as TaxRateSet['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('tax_rates_view')} AS t (country, rate_basis_points, version) VALUES ($1, $2, $3)
         ON CONFLICT (country) DO UPDATE SET rate_basis_points = EXCLUDED.rate_basis_points, version = EXCLUDED.version
         WHERE t.version < EXCLUDED.version`,
        [country, rateBasisPoints, event.version],
      );
    },
  };
}
