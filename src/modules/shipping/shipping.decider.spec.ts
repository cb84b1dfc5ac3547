import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import { shippingMethodsDecider, type ShippingMethodCommand } from './shipping-methods.decider.js';
import type { ShippingMethodEvent, TaxRateEvent } from './shipping.events.js';
import { methodsServing, taxRateOf } from './shipping.public.js';
import { taxRatesDecider } from './tax-rates.decider.js';

const methodId = 'm-1';
const created: ShippingMethodEvent = {
  type: 'ShippingMethodCreated',
  data: { methodId, code: 'STD', name: 'Standard', priceCents: 499, freeOverCents: 5000, countries: ['GB', 'FR'] },
};
const create = (overrides: Partial<ShippingMethodCommand> = {}): ShippingMethodCommand => ({
  type: 'CreateShippingMethod',
  methodId,
  code: 'STD',
  name: 'Standard',
  priceCents: 499,
  freeOverCents: 5000,
  countries: ['gb', 'GB', 'fr'],
  ...overrides,
} as ShippingMethodCommand);
const change = (fields: Omit<Extract<ShippingMethodCommand, { type: 'ChangeShippingMethod' }>, 'type' | 'methodId'>): ShippingMethodCommand => ({
  type: 'ChangeShippingMethod',
  methodId,
  ...fields,
});

describe('shippingMethodsDecider', () => {
  const { given } = deciderSpec(shippingMethodsDecider);

  it('creates an active method with upper-case countries, each once', () => {
    given([]).when(create()).then([created]);
    expect(fold(shippingMethodsDecider, [created]).methods[0].active).toBe(true);
  });

  it('refuses a code another method has', () => {
    given([created]).when(create({ methodId: 'm-2', name: 'Other' } as Partial<ShippingMethodCommand>)).thenThrows('CODE_TAKEN');
  });

  it('refuses a method past the 100th', () => {
    const hundred: ShippingMethodEvent[] = Array.from({ length: 100 }, (_, i) => ({
      type: 'ShippingMethodCreated',
      data: { methodId: `m-${i}`, code: `C${i}`, name: 'x', priceCents: 0, freeOverCents: null, countries: ['GB'] },
    }));
    given(hundred.slice(0, 99)).when(create({ methodId: 'm-new', code: 'NEW' } as Partial<ShippingMethodCommand>)).then([
      { type: 'ShippingMethodCreated', data: { methodId: 'm-new', code: 'NEW', name: 'Standard', priceCents: 499, freeOverCents: 5000, countries: ['GB', 'FR'] } },
    ]);
    given(hundred).when(create({ methodId: 'm-new', code: 'NEW' } as Partial<ShippingMethodCommand>)).thenThrows('SHIPPING_METHODS_FULL');
  });

  it('records only what changes', () => {
    given([created])
      .when(change({ name: 'Standard', priceCents: 599, countries: ['fr', 'GB'] }))
      .then([{ type: 'ShippingMethodChanged', data: { methodId, priceCents: 599 } }]);
  });

  it('clears the free-shipping threshold with null and deactivates', () => {
    given([created])
      .when(change({ freeOverCents: null, active: false }))
      .then([{ type: 'ShippingMethodChanged', data: { methodId, freeOverCents: null, active: false } }]);
  });

  it('emits nothing when nothing changes', () => {
    given([created]).when(change({ freeOverCents: 5000, active: true })).then([]);
  });

  it('answers not found for an unknown method', () => {
    given([created]).when({ type: 'ChangeShippingMethod', methodId: 'm-9', name: 'X' }).thenThrows('NOT_FOUND');
  });

  it('serves a country only from active methods that list it', () => {
    const state = fold(shippingMethodsDecider, [
      created,
      { type: 'ShippingMethodCreated', data: { methodId: 'm-2', code: 'EXP', name: 'Express', priceCents: 999, freeOverCents: null, countries: ['GB'] } },
      { type: 'ShippingMethodChanged', data: { methodId: 'm-2', active: false } },
    ]);
    expect(methodsServing(state, 'gb').map((m) => m.id)).toEqual([methodId]);
    expect(methodsServing(state, 'US')).toEqual([]);
  });
});

describe('taxRatesDecider', () => {
  const { given } = deciderSpec(taxRatesDecider);
  const set = (country: string, rateBasisPoints: number): TaxRateEvent => ({ type: 'TaxRateSet', data: { country, rateBasisPoints } });

  it('sets a rate under the upper-case country', () => {
    given([]).when({ type: 'SetTaxRate', country: 'gb', rateBasisPoints: 2000 }).then([set('GB', 2000)]);
  });

  it('sets a rate of zero, and emits nothing when the rate is unchanged', () => {
    given([set('GB', 2000)]).when({ type: 'SetTaxRate', country: 'GB', rateBasisPoints: 0 }).then([set('GB', 0)]);
    given([set('GB', 0)]).when({ type: 'SetTaxRate', country: 'GB', rateBasisPoints: 0 }).then([]);
  });

  it('answers 0 for a country without a rate', () => {
    const state = fold(taxRatesDecider, [set('GB', 2000)]);
    expect([taxRateOf(state, 'gb'), taxRateOf(state, 'US')]).toEqual([2000, 0]);
  });
});
