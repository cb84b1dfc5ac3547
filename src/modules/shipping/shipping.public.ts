import type { Projector } from '../../event-store/decider.js';
import { shippingMethodsDecider, type ShippingMethod, type ShippingMethodsState } from './shipping-methods.decider.js';
import type { ShippingMethodEvent, TaxRateEvent } from './shipping.events.js';
import { taxRatesDecider, type TaxRatesState } from './tax-rates.decider.js';

/**
 * The shipping module's public read contract for checkout: the shop's methods and tax rates, folded
 * from this module's streams (SHIPPING_METHODS_STREAM_ID, TAX_RATES_STREAM_ID).
 *
 * These are the deciders' own objects, typed as projectors: the command runner caches folds per
 * projector, so checkout's view of a list is the very entry an admin's change to it refreshes.
 */
export type { ShippingMethod, ShippingMethodsState, TaxRatesState };
export const shippingMethodsView: Projector<ShippingMethodsState, ShippingMethodEvent> = shippingMethodsDecider;
export const taxRatesView: Projector<TaxRatesState, TaxRateEvent> = taxRatesDecider;

/** The active methods serving `country` (any case). */
export function methodsServing(state: ShippingMethodsState, country: string): ShippingMethod[] {
  const wanted = country.toUpperCase();
  return state.methods.filter((method) => method.active && method.countries.includes(wanted));
}

/** The rate of `country` (any case) in basis points, or 0 when it has none. */
export function taxRateOf(state: TaxRatesState, country: string): number {
  return state.rates[country.toUpperCase()] ?? 0;
}
