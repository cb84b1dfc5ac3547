import { readModel } from '../../projections/read-model.js';
import { boolean, int4, jsonb, nullable, table, text, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { ShippingMethodEvent, TaxRateEvent } from './shipping.events.js';

export const SHIPPING_READ_MODEL = 'shipping';
export const TAX_RATES_READ_MODEL = 'tax-rates';

/** One row per shipping method in `shipping_methods_view`. */
export const shippingMethodsView = table('shipping_methods_view', ['id'], {
  id: uuid(),
  code: text(),
  name: text(),
  priceCents: int4(),
  freeOverCents: nullable(int4()),
  /** ISO 3166-1 alpha-2 codes, a JSON array (`countries ? 'DE'` finds the methods serving DE). */
  countries: jsonb<string[]>(),
  active: boolean(),
  /** The shipping-methods stream's version after the last event that changed this row. */
  version: int4(),
});

export type ShippingMethodRow = TableRow<typeof shippingMethodsView>;

/** One row per country with a rate in `tax_rates_view`. */
export const taxRatesView = table('tax_rates_view', ['country'], {
  country: text(),
  rateBasisPoints: int4(),
  /** The tax-rates stream's version after the country's last rate. */
  version: int4(),
});

export type TaxRateRow = TableRow<typeof taxRatesView>;

const byMethod = (event: { data: { methodId: string } }) => event.data.methodId;

export const shippingMethods = readModel<ShippingMethodEvent, ShippingMethodRow>({
  name: SHIPPING_READ_MODEL,
  table: shippingMethodsView,
  keys: { ShippingMethodCreated: byMethod, ShippingMethodChanged: byMethod },
  evolve(row, event) {
    if (event.type === 'ShippingMethodCreated') {
      const { methodId, code, name, priceCents, freeOverCents, countries } = event.data;
      return { id: methodId, code, name, priceCents, freeOverCents, countries, active: true, version: event.version };
    }
    if (!row) return null;
    // The event holds only what changed; a null threshold (cleared) differs from an absent one.
    const { name, priceCents, freeOverCents, countries, active } = event.data;
    return {
      ...row,
      name: name ?? row.name,
      priceCents: priceCents ?? row.priceCents,
      freeOverCents: freeOverCents === undefined ? row.freeOverCents : freeOverCents,
      countries: countries ?? row.countries,
      active: active ?? row.active,
      version: event.version,
    };
  },
});

export const taxRates = readModel<TaxRateEvent, TaxRateRow>({
  name: TAX_RATES_READ_MODEL,
  table: taxRatesView,
  keys: { TaxRateSet: (event) => event.data.country },
  evolve: (_row, { data, version }) => ({ country: data.country, rateBasisPoints: data.rateBasisPoints, version }),
});
