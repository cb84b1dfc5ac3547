import type { NewEvent } from '../../event-store/event.js';

/**
 * The shipping module's events: its public contract. A shop has a handful of shipping methods and one
 * rate per country, so each list is one stream: checkout reads the whole list in one load (what serves
 * this country?), and a method's code is unique within its stream's state, with no lookup table.
 */
export const SHIPPING_METHODS_STREAM = 'shipping-methods';
export const TAX_RATES_STREAM = 'tax-rates';

/** The one stream of each list (fixed ids: there is one list per shop). */
export const SHIPPING_METHODS_STREAM_ID = '5a1e0c3d-7f29-4b6e-9d0a-3c8e1f2b4a61';
export const TAX_RATES_STREAM_ID = '7c4b9e2a-1d3f-4a5b-8e6c-0f9d2a7b3c18';

/** `countries` are ISO 3166-1 alpha-2, upper case, without repeats. A new method is active. */
export type ShippingMethodCreated = NewEvent<
  'ShippingMethodCreated',
  { methodId: string; code: string; name: string; priceCents: number; freeOverCents: number | null; countries: string[] }
>;

/** Holds only the fields that changed; `freeOverCents: null` clears the threshold. */
export type ShippingMethodChanged = NewEvent<
  'ShippingMethodChanged',
  { methodId: string; name?: string; priceCents?: number; freeOverCents?: number | null; countries?: string[]; active?: boolean }
>;

export type ShippingMethodEvent = ShippingMethodCreated | ShippingMethodChanged;

/** `country` upper case; `rateBasisPoints` 0..10000 (0 is a rate of zero, not "no rate"). */
export type TaxRateSet = NewEvent<'TaxRateSet', { country: string; rateBasisPoints: number }>;

export type TaxRateEvent = TaxRateSet;
