import { unreachable, type Decider } from '../../event-store/decider.js';
import { ConflictError, NotFoundError } from '../../event-store/errors.js';
import type { ShippingMethodChanged, ShippingMethodEvent } from './shipping.events.js';

/** A shop's methods are few; the bound keeps the one stream and the public list small. */
export const MAX_SHIPPING_METHODS = 100;

export interface ShippingMethod {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly priceCents: number;
  readonly freeOverCents: number | null;
  readonly countries: readonly string[];
  readonly active: boolean;
}

export interface CreateShippingMethod {
  readonly type: 'CreateShippingMethod';
  readonly methodId: string;
  readonly code: string;
  readonly name: string;
  readonly priceCents: number;
  readonly freeOverCents: number | null;
  readonly countries: readonly string[];
}

export interface ChangeShippingMethod {
  readonly type: 'ChangeShippingMethod';
  readonly methodId: string;
  readonly name?: string;
  readonly priceCents?: number;
  /** null clears the threshold; undefined leaves it. */
  readonly freeOverCents?: number | null;
  readonly countries?: readonly string[];
  readonly active?: boolean;
}

export type ShippingMethodCommand = CreateShippingMethod | ChangeShippingMethod;

/** Every method of the shop, in the order they were created. */
export interface ShippingMethodsState {
  readonly methods: readonly ShippingMethod[];
}

const initialState: ShippingMethodsState = { methods: [] };

/** Upper case, first occurrence kept: `['gb', 'GB', 'fr']` is `['GB', 'FR']`. */
export function normalizeCountries(countries: readonly string[]): string[] {
  return [...new Set(countries.map((country) => country.toUpperCase()))];
}

function sameCountries(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((country) => b.includes(country));
}

function decide(command: ShippingMethodCommand, state: ShippingMethodsState): ShippingMethodEvent[] {
  switch (command.type) {
    case 'CreateShippingMethod': {
      if (state.methods.some((method) => method.code === command.code)) {
        throw new ConflictError('CODE_TAKEN', `Shipping method code ${command.code} is already taken`);
      }
      if (state.methods.length >= MAX_SHIPPING_METHODS) {
        throw new ConflictError('SHIPPING_METHODS_FULL', `A shop has at most ${MAX_SHIPPING_METHODS} shipping methods; change or deactivate one`);
      }
      const { methodId, code, name, priceCents, freeOverCents } = command;
      return [{ type: 'ShippingMethodCreated', data: { methodId, code, name, priceCents, freeOverCents, countries: normalizeCountries(command.countries) } }];
    }
    case 'ChangeShippingMethod': {
      const method = state.methods.find((m) => m.id === command.methodId);
      if (!method) throw new NotFoundError('Shipping method not found');
      const changes: Omit<ShippingMethodChanged['data'], 'methodId'> = {};
      if (command.name !== undefined && command.name !== method.name) changes.name = command.name;
      if (command.priceCents !== undefined && command.priceCents !== method.priceCents) changes.priceCents = command.priceCents;
      if (command.freeOverCents !== undefined && command.freeOverCents !== method.freeOverCents) changes.freeOverCents = command.freeOverCents;
      if (command.countries !== undefined) {
        const countries = normalizeCountries(command.countries);
        if (!sameCountries(countries, method.countries)) changes.countries = countries;
      }
      if (command.active !== undefined && command.active !== method.active) changes.active = command.active;
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'ShippingMethodChanged', data: { methodId: command.methodId, ...changes } }];
    }
    default:
      return unreachable(command);
  }
}

function evolve(state: ShippingMethodsState, event: ShippingMethodEvent): ShippingMethodsState {
  switch (event.type) {
    case 'ShippingMethodCreated': {
      const { methodId, code, name, priceCents, freeOverCents, countries } = event.data;
      return { methods: [...state.methods, { id: methodId, code, name, priceCents, freeOverCents, countries, active: true }] };
    }
    case 'ShippingMethodChanged': {
      const { methodId, ...changes } = event.data;
      return { methods: state.methods.map((method) => (method.id === methodId ? { ...method, ...changes } : method)) };
    }
    default:
      return unreachable(event);
  }
}

export const shippingMethodsDecider: Decider<ShippingMethodCommand, ShippingMethodsState, ShippingMethodEvent> = { initialState, decide, evolve };
