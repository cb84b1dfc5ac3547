import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import { productDecider, stockAvailable, type ProductCommand, type ProductState } from './product.decider.js';
import type { ProductCreated, ProductEvent } from './product.events.js';

const productId = 'p-1';
const orderId = 'o-1';

const created: ProductCreated = {
  type: 'ProductCreated',
  data: { productId, sku: 'MUG-01', name: 'Mug', description: 'A mug', priceCents: 1250, stock: 10 },
};
const reserved = (quantity: number): ProductEvent => ({ type: 'StockReserved', data: { productId, orderId, quantity } });

const { given } = deciderSpec(productDecider);

describe('productDecider', () => {
  describe('CreateProduct', () => {
    const create: ProductCommand = {
      type: 'CreateProduct',
      productId,
      sku: 'MUG-01',
      name: 'Mug',
      description: 'A mug',
      priceCents: 1250,
      stock: 10,
    };

    it('creates a new product', () => {
      given([]).when(create).then([created]);
    });

    it('refuses to create a product twice', () => {
      given([created]).when(create).thenThrows('PRODUCT_EXISTS');
    });
  });

  describe('UpdateProduct', () => {
    it('records only the fields that change', () => {
      given([created])
        .when({ type: 'UpdateProduct', productId, name: 'Big mug', description: 'A mug', priceCents: 1500 })
        .then([{ type: 'ProductUpdated', data: { productId, name: 'Big mug', priceCents: 1500 } }]);
    });

    it('can change the description alone', () => {
      given([created])
        .when({ type: 'UpdateProduct', productId, description: 'A sturdy mug' })
        .then([{ type: 'ProductUpdated', data: { productId, description: 'A sturdy mug' } }]);
    });

    it('emits nothing when nothing changes', () => {
      given([created]).when({ type: 'UpdateProduct', productId, name: 'Mug', priceCents: 1250 }).then([]);
      given([created]).when({ type: 'UpdateProduct', productId }).then([]);
    });

    it('compares with the latest values', () => {
      given([created, { type: 'ProductUpdated', data: { productId, priceCents: 999 } }])
        .when({ type: 'UpdateProduct', productId, priceCents: 1250 })
        .then([{ type: 'ProductUpdated', data: { productId, priceCents: 1250 } }]);
    });

    it('answers not found for a missing product', () => {
      given([]).when({ type: 'UpdateProduct', productId, name: 'Mug' }).thenThrows('NOT_FOUND');
    });
  });

  describe('AdjustStock', () => {
    it('adds stock', () => {
      given([created]).when({ type: 'AdjustStock', productId, delta: 5 }).then([{ type: 'StockAdjusted', data: { productId, delta: 5 } }]);
    });

    it('removes stock down to exactly zero', () => {
      given([created]).when({ type: 'AdjustStock', productId, delta: -10 }).then([{ type: 'StockAdjusted', data: { productId, delta: -10 } }]);
    });

    it('refuses to take stock on hand below zero', () => {
      given([created])
        .when({ type: 'AdjustStock', productId, delta: -11 })
        .thenThrows('INSUFFICIENT_STOCK', [{ productId, requested: -11, available: 10 }]);
    });

    it('removes stock down to exactly what open orders reserve', () => {
      given([created, reserved(4)])
        .when({ type: 'AdjustStock', productId, delta: -6 })
        .then([{ type: 'StockAdjusted', data: { productId, delta: -6 } }]);
    });

    it('refuses to take stock on hand below what open orders reserve', () => {
      given([created, reserved(4)])
        .when({ type: 'AdjustStock', productId, delta: -7 })
        .thenThrows('INSUFFICIENT_STOCK', [{ productId, requested: -7, available: 6 }]);
    });

    it('emits nothing for a zero delta', () => {
      given([created]).when({ type: 'AdjustStock', productId, delta: 0 }).then([]);
    });

    it('answers not found for a missing product', () => {
      given([]).when({ type: 'AdjustStock', productId, delta: 1 }).thenThrows('NOT_FOUND');
    });
  });

  describe('evolve', () => {
    const base: ProductState = {
      exists: true,
      sku: 'MUG-01',
      name: 'Mug',
      description: 'A mug',
      priceCents: 1250,
      stockOnHand: 10,
      reserved: 0,
    };

    it('starts as a missing product', () => {
      expect(productDecider.initialState).toEqual({ exists: false, sku: '', name: '', description: '', priceCents: 0, stockOnHand: 0, reserved: 0 });
    });

    it('ProductCreated sets every field and the stock on hand', () => {
      expect(fold(productDecider, [created])).toEqual(base);
    });

    it('ProductUpdated changes only the fields it holds', () => {
      expect(fold(productDecider, [created, { type: 'ProductUpdated', data: { productId, name: 'Big mug' } }])).toEqual({
        ...base,
        name: 'Big mug',
      });
      expect(fold(productDecider, [created, { type: 'ProductUpdated', data: { productId, description: 'New', priceCents: 0 } }])).toEqual({
        ...base,
        description: 'New',
        priceCents: 0,
      });
    });

    it('StockAdjusted moves stock on hand', () => {
      expect(fold(productDecider, [created, { type: 'StockAdjusted', data: { productId, delta: -3 } }])).toEqual({ ...base, stockOnHand: 7 });
    });

    it('StockReserved sets stock aside without taking it off the shelf', () => {
      const state = fold(productDecider, [created, reserved(3), reserved(2)]);
      expect(state).toEqual({ ...base, reserved: 5 });
      expect(stockAvailable(state)).toBe(5);
    });

    it('StockReleased gives a reservation back', () => {
      const state = fold(productDecider, [created, reserved(3), { type: 'StockReleased', data: { productId, orderId, quantity: 3 } }]);
      expect(state).toEqual({ ...base, reserved: 0 });
      expect(stockAvailable(state)).toBe(10);
    });

    it('StockShipped takes the items off the shelf and ends their reservation', () => {
      const state = fold(productDecider, [created, reserved(3), { type: 'StockShipped', data: { productId, orderId, quantity: 3 } }]);
      expect(state).toEqual({ ...base, stockOnHand: 7, reserved: 0 });
      expect(stockAvailable(state)).toBe(7);
    });
  });
});
