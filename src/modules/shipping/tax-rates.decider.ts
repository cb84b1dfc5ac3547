import { type Decider } from '../../event-store/decider.js';
import type { TaxRateEvent } from './shipping.events.js';

export interface SetTaxRate {
  readonly type: 'SetTaxRate';
  /** ISO 3166-1 alpha-2, any case. */
  readonly country: string;
  /** 0..10000 */
  readonly rateBasisPoints: number;
}

export type TaxRateCommand = SetTaxRate;

/** Each country's rate, by upper-case country code; a country absent here has no rate (taxed at 0). */
export interface TaxRatesState {
  readonly rates: Readonly<Record<string, number>>;
}

const initialState: TaxRatesState = { rates: {} };

function decide(command: TaxRateCommand, state: TaxRatesState): TaxRateEvent[] {
  const country = command.country.toUpperCase();
  if (state.rates[country] === command.rateBasisPoints) return [];
  return [{ type: 'TaxRateSet', data: { country, rateBasisPoints: command.rateBasisPoints } }];
}

function evolve(state: TaxRatesState, event: TaxRateEvent): TaxRatesState {
  return { rates: { ...state.rates, [event.data.country]: event.data.rateBasisPoints } };
}

export const taxRatesDecider: Decider<TaxRateCommand, TaxRatesState, TaxRateEvent> = { initialState, decide, evolve };
