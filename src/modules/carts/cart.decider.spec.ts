import { describe, expect, it } from 'vitest';
import { fold } from '../../event-store/decider.js';
import { deciderSpec } from '../../event-store/decider.spec-kit.js';
import { cartDecider, type CartCommand } from './cart.decider.js';
import type { CartEvent } from './cart.events.js';

const cartId = 'c-1';
const alice = { customerId: 'alice' };
const bob = { customerId: 'bob' };

const created: CartEvent = { type: 'CartCreated', data: { cartId, customerId: 'alice' } };
const added = (productId: string, quantity: number): CartEvent => ({ type: 'CartItemAdded', data: { cartId, productId, quantity } });
const checkedOut: CartEvent = { type: 'CartCheckedOut', data: { cartId, orderId: 'o-1' } };

const spec = deciderSpec(cartDecider);
/** The product every command here names is in the catalog; the tests of a missing one say so. */
const inCatalog = { product: { exists: true } };
const given = (events: CartEvent[]) => spec.given(events, inCatalog);

// The contract's limits as literals, not the decider's constants: a changed constant must fail here.
const MAX_LINE_QUANTITY = 1000;
const cartOfLines = (count: number) => [created, ...Array.from({ length: count }, (_, i) => added(`p-${i}`, 1))];
const fullCart = cartOfLines(100);

describe('cartDecider', () => {
  describe('CreateCart', () => {
    it('creates a cart owned by the actor', () => {
      given([]).when({ type: 'CreateCart', cartId, actor: alice }).then([created]);
    });

    it('refuses to create a cart twice', () => {
      given([created]).when({ type: 'CreateCart', cartId, actor: alice }).thenThrows('CART_EXISTS');
    });
  });

  describe('AddItem', () => {
    const add = (productId: string, quantity: number, actor = alice): CartCommand => ({ type: 'AddItem', cartId, productId, quantity, actor });

    it('adds a new line', () => {
      given([created]).when(add('p-1', 2)).then([added('p-1', 2)]);
    });

    it('adds to an existing line', () => {
      given([created, added('p-1', 2)]).when(add('p-1', 3)).then([added('p-1', 3)]);
    });

    it('fills a line up to exactly the maximum quantity', () => {
      given([created, added('p-1', 999)]).when(add('p-1', 1)).then([added('p-1', 1)]);
    });

    it('refuses to merge a line past the maximum quantity', () => {
      given([created, added('p-1', 999)])
        .when(add('p-1', 2))
        .thenThrows('LINE_QUANTITY_EXCEEDED', [{ productId: 'p-1', requested: 1001, max: MAX_LINE_QUANTITY }]);
    });

    it('adds a new line of exactly the maximum quantity', () => {
      given([created]).when(add('p-1', 1000)).then([added('p-1', 1000)]);
    });

    it('refuses a new line over the maximum quantity', () => {
      given([created])
        .when(add('p-1', 1001))
        .thenThrows('LINE_QUANTITY_EXCEEDED', [{ productId: 'p-1', requested: 1001, max: MAX_LINE_QUANTITY }]);
    });

    it('adds the 100th line', () => {
      given(cartOfLines(99)).when(add('p-new', 1)).then([added('p-new', 1)]);
    });

    it('refuses a new line in a full cart', () => {
      given(fullCart).when(add('p-new', 1)).thenThrows('CART_FULL');
    });

    it('still merges into an existing line of a full cart', () => {
      given(fullCart).when(add('p-0', 1)).then([added('p-0', 1)]);
    });

    it('answers not found for a missing cart', () => {
      given([]).when(add('p-1', 1)).thenThrows('NOT_FOUND');
    });

    it("answers not found for another customer's cart", () => {
      given([created]).when(add('p-1', 1, bob)).thenThrows('NOT_FOUND');
    });

    it('refuses a checked-out cart', () => {
      given([created, added('p-1', 1), checkedOut]).when(add('p-1', 1)).thenThrows('CART_CHECKED_OUT');
    });

    it('answers not found for a product the catalog does not have, before any rule of the cart', () => {
      spec.given([created], { product: { exists: false } }).when(add('p-1', 1)).thenThrows('NOT_FOUND');
      spec.given([created, added('p-1', 1), checkedOut], { product: { exists: false } }).when(add('p-1', 1)).thenThrows('NOT_FOUND');
      spec.given([created]).when(add('p-1', 1)).thenThrows('NOT_FOUND');
    });
  });

  describe('SetItemQuantity', () => {
    const set = (productId: string, quantity: number, actor = alice): CartCommand => ({
      type: 'SetItemQuantity',
      cartId,
      productId,
      quantity,
      actor,
    });

    it('changes the quantity of a line', () => {
      given([created, added('p-1', 2)])
        .when(set('p-1', 7))
        .then([{ type: 'CartItemQuantityChanged', data: { cartId, productId: 'p-1', quantity: 7 } }]);
    });

    it('emits nothing when the quantity is unchanged', () => {
      given([created, added('p-1', 2)]).when(set('p-1', 2)).then([]);
    });

    it('removes the line at 0', () => {
      given([created, added('p-1', 2)]).when(set('p-1', 0)).then([{ type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }]);
    });

    it('emits nothing for 0 on an absent line', () => {
      given([created]).when(set('p-1', 0)).then([]);
    });

    it('adds an absent line', () => {
      given([created]).when(set('p-1', 4)).then([added('p-1', 4)]);
    });

    it('sets a line to exactly the maximum quantity', () => {
      given([created, added('p-1', 2)])
        .when(set('p-1', MAX_LINE_QUANTITY))
        .then([{ type: 'CartItemQuantityChanged', data: { cartId, productId: 'p-1', quantity: MAX_LINE_QUANTITY } }]);
    });

    it('refuses a quantity over the maximum', () => {
      given([created, added('p-1', 2)])
        .when(set('p-1', 1001))
        .thenThrows('LINE_QUANTITY_EXCEEDED', [{ productId: 'p-1', requested: 1001, max: MAX_LINE_QUANTITY }]);
    });

    it('adds the 100th line', () => {
      given(cartOfLines(99)).when(set('p-new', 3)).then([added('p-new', 3)]);
    });

    it('refuses to add a line to a full cart', () => {
      given(fullCart).when(set('p-new', 1)).thenThrows('CART_FULL');
    });

    it('still changes a line of a full cart', () => {
      given(fullCart).when(set('p-0', 5)).then([{ type: 'CartItemQuantityChanged', data: { cartId, productId: 'p-0', quantity: 5 } }]);
    });

    it('answers not found for a missing cart', () => {
      given([]).when(set('p-1', 1)).thenThrows('NOT_FOUND');
    });

    it("answers not found for another customer's cart", () => {
      given([created, added('p-1', 2)]).when(set('p-1', 3, bob)).thenThrows('NOT_FOUND');
    });

    it('refuses a checked-out cart', () => {
      given([created, added('p-1', 2), checkedOut]).when(set('p-1', 3)).thenThrows('CART_CHECKED_OUT');
    });

    it('answers not found for a product the catalog does not have, before any rule of the cart', () => {
      spec.given([created], { product: { exists: false } }).when(set('p-1', 3)).thenThrows('NOT_FOUND');
      spec.given([created, added('p-1', 2), checkedOut], { product: { exists: false } }).when(set('p-1', 3)).thenThrows('NOT_FOUND');
    });

    it('needs no product to remove a line at 0', () => {
      spec.given([created, added('p-1', 2)]).when(set('p-1', 0)).then([{ type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }]);
    });
  });

  describe('RemoveItem', () => {
    const remove = (productId: string, actor = alice): CartCommand => ({ type: 'RemoveItem', cartId, productId, actor });

    it('removes a line', () => {
      given([created, added('p-1', 2)]).when(remove('p-1')).then([{ type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }]);
    });

    it('answers not found for an absent line', () => {
      given([created, added('p-1', 2)]).when(remove('p-2')).thenThrows('NOT_FOUND');
    });

    it('answers not found for a missing cart', () => {
      given([]).when(remove('p-1')).thenThrows('NOT_FOUND');
    });

    it("answers not found for another customer's cart", () => {
      given([created, added('p-1', 2)]).when(remove('p-1', bob)).thenThrows('NOT_FOUND');
    });

    it('refuses a checked-out cart', () => {
      given([created, added('p-1', 2), checkedOut]).when(remove('p-1')).thenThrows('CART_CHECKED_OUT');
    });

    it('needs no product', () => {
      spec.given([created, added('p-1', 2)]).when(remove('p-1')).then([{ type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }]);
    });
  });

  describe('RemoveDiscount', () => {
    const remove = (actor = alice): CartCommand => ({ type: 'RemoveDiscount', cartId, actor });
    const applied: CartEvent = { type: 'CartDiscountApplied', data: { cartId, codeId: 'd-1', code: 'SPRING10' } };

    it('removes the code the cart holds', () => {
      given([created, applied]).when(remove()).then([{ type: 'CartDiscountRemoved', data: { cartId } }]);
    });

    it('emits nothing when the cart holds none', () => {
      given([created]).when(remove()).then([]);
      given([created, applied, { type: 'CartDiscountRemoved', data: { cartId } }]).when(remove()).then([]);
    });

    it("answers not found for another customer's cart and refuses a checked-out one", () => {
      given([created, applied]).when(remove(bob)).thenThrows('NOT_FOUND');
      given([created, applied, checkedOut]).when(remove()).thenThrows('CART_CHECKED_OUT');
    });

    it('CartDiscountApplied sets the one code, replacing another', () => {
      const other: CartEvent = { type: 'CartDiscountApplied', data: { cartId, codeId: 'd-2', code: 'WINTER' } };
      expect(fold(cartDecider, [created, applied, other]).discount).toEqual({ codeId: 'd-2', code: 'WINTER' });
    });
  });

  describe('evolve', () => {
    it('starts as a missing cart', () => {
      expect(cartDecider.initialState).toEqual({ exists: false, customerId: '', status: 'open', lines: [], discount: null });
    });

    it('CartCreated opens an empty cart for its customer', () => {
      expect(fold(cartDecider, [created])).toEqual({ exists: true, customerId: 'alice', status: 'open', lines: [], discount: null });
    });

    it('CartItemAdded appends new lines in order and merges into existing ones', () => {
      const state = fold(cartDecider, [created, added('p-2', 1), added('p-1', 2), added('p-2', 3)]);
      expect(state.lines).toEqual([
        { productId: 'p-2', quantity: 4 },
        { productId: 'p-1', quantity: 2 },
      ]);
    });

    it('CartItemQuantityChanged sets the quantity in place', () => {
      const state = fold(cartDecider, [
        created,
        added('p-1', 1),
        added('p-2', 1),
        { type: 'CartItemQuantityChanged', data: { cartId, productId: 'p-1', quantity: 9 } },
      ]);
      expect(state.lines).toEqual([
        { productId: 'p-1', quantity: 9 },
        { productId: 'p-2', quantity: 1 },
      ]);
    });

    it('CartItemRemoved drops the line', () => {
      const state = fold(cartDecider, [created, added('p-1', 1), added('p-2', 1), { type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } }]);
      expect(state.lines).toEqual([{ productId: 'p-2', quantity: 1 }]);
    });

    it('CartCheckedOut closes the cart and keeps its lines', () => {
      const state = fold(cartDecider, [created, added('p-1', 1), checkedOut]);
      expect(state).toEqual({ exists: true, customerId: 'alice', status: 'checked_out', lines: [{ productId: 'p-1', quantity: 1 }], discount: null });
    });

    it('never changes the state it is given', () => {
      const before = fold(cartDecider, [created, added('p-1', 1), added('p-2', 1)]);
      const snapshot = structuredClone(before);
      fold(
        cartDecider,
        [
          added('p-1', 2),
          added('p-3', 1),
          { type: 'CartItemQuantityChanged', data: { cartId, productId: 'p-2', quantity: 5 } },
          { type: 'CartItemRemoved', data: { cartId, productId: 'p-1' } },
          checkedOut,
        ],
        before,
      );
      expect(before).toEqual(snapshot);
    });
  });
});
