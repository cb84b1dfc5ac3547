import { unreachable, type Decider } from '../../event-store/decider.js';
import { ConflictError, NotFoundError } from '../../event-store/errors.js';
import type { CartEvent } from './cart.events.js';

/**
 * Bounds on a cart. Besides keeping carts sane, they keep money exact: 100 lines x 1000 items x a price
 * of at most 10^8 cents stays below 10^13, far under Number.MAX_SAFE_INTEGER (2^53).
 */
export const MAX_LINE_QUANTITY = 1000;
export const MAX_CART_LINES = 100;

export interface CartActor {
  readonly customerId: string;
}

export interface CreateCart {
  readonly type: 'CreateCart';
  readonly cartId: string;
  readonly actor: CartActor;
}

export interface AddItem {
  readonly type: 'AddItem';
  readonly cartId: string;
  readonly productId: string;
  /** 1..MAX_LINE_QUANTITY */
  readonly quantity: number;
  readonly actor: CartActor;
}

export interface SetItemQuantity {
  readonly type: 'SetItemQuantity';
  readonly cartId: string;
  readonly productId: string;
  /** 0..MAX_LINE_QUANTITY; 0 removes the line. */
  readonly quantity: number;
  readonly actor: CartActor;
}

export interface RemoveItem {
  readonly type: 'RemoveItem';
  readonly cartId: string;
  readonly productId: string;
  readonly actor: CartActor;
}

/** Applying a code is decided with the code and the prices (cart-discount.decider.ts); removing it is not. */
export interface RemoveDiscount {
  readonly type: 'RemoveDiscount';
  readonly cartId: string;
  readonly actor: CartActor;
}

export type CartCommand = CreateCart | AddItem | SetItemQuantity | RemoveItem | RemoveDiscount;

/**
 * What a cart command reads of the catalog: the product a command puts in the cart (AddItem, and
 * SetItemQuantity above 0). A product never stops existing once created, so the read needs no guard.
 */
export interface CartReads {
  readonly product?: { readonly exists: boolean };
}

export interface CartLine {
  readonly productId: string;
  readonly quantity: number;
}

export interface CartState {
  readonly exists: boolean;
  readonly customerId: string;
  readonly status: 'open' | 'checked_out';
  /** In the order the products were first added; at most one line per product. */
  readonly lines: readonly CartLine[];
  /** The discount code the cart holds, if any. */
  readonly discount: { readonly codeId: string; readonly code: string } | null;
}

const initialState: CartState = { exists: false, customerId: '', status: 'open', lines: [], discount: null };

function findLine(state: CartState, productId: string): CartLine | undefined {
  return state.lines.find((line) => line.productId === productId);
}

function lineQuantityExceeded(productId: string, quantity: number): ConflictError {
  return new ConflictError('LINE_QUANTITY_EXCEEDED', `A cart line holds at most ${MAX_LINE_QUANTITY} items`, [
    { productId, requested: quantity, max: MAX_LINE_QUANTITY },
  ]);
}

function cartFull(): ConflictError {
  return new ConflictError('CART_FULL', `A cart holds at most ${MAX_CART_LINES} different products`);
}

/** A line may only name a product the catalog has; its price is looked up when the cart is shown. */
function assertProductExists(reads: CartReads): void {
  if (!reads.product?.exists) throw new NotFoundError('Product not found');
}

/** The checks every command on an existing cart shares. */
export function assertOpenCartOf(state: CartState, actor: CartActor): void {
  // Another customer's cart answers as a missing one: its existence is not revealed.
  if (!state.exists || state.customerId !== actor.customerId) throw new NotFoundError('Cart not found');
  if (state.status === 'checked_out') throw new ConflictError('CART_CHECKED_OUT', 'The cart has been checked out');
}

function decide(command: CartCommand, state: CartState, reads: CartReads): CartEvent[] {
  switch (command.type) {
    case 'CreateCart':
      if (state.exists) throw new ConflictError('CART_EXISTS', 'The cart already exists');
      return [{ type: 'CartCreated', data: { cartId: command.cartId, customerId: command.actor.customerId } }];
    case 'AddItem': {
      assertProductExists(reads);
      assertOpenCartOf(state, command.actor);
      const { cartId, productId, quantity } = command;
      const line = findLine(state, productId);
      if (line) {
        if (line.quantity + quantity > MAX_LINE_QUANTITY) throw lineQuantityExceeded(productId, line.quantity + quantity);
      } else {
        if (quantity > MAX_LINE_QUANTITY) throw lineQuantityExceeded(productId, quantity);
        if (state.lines.length >= MAX_CART_LINES) throw cartFull();
      }
      return [{ type: 'CartItemAdded', data: { cartId, productId, quantity } }];
    }
    case 'SetItemQuantity': {
      if (command.quantity > 0) assertProductExists(reads);
      assertOpenCartOf(state, command.actor);
      const { cartId, productId, quantity } = command;
      const line = findLine(state, productId);
      if (quantity === 0) return line ? [{ type: 'CartItemRemoved', data: { cartId, productId } }] : [];
      if (quantity > MAX_LINE_QUANTITY) throw lineQuantityExceeded(productId, quantity);
      if (!line) {
        if (state.lines.length >= MAX_CART_LINES) throw cartFull();
        return [{ type: 'CartItemAdded', data: { cartId, productId, quantity } }];
      }
      if (line.quantity === quantity) return [];
      return [{ type: 'CartItemQuantityChanged', data: { cartId, productId, quantity } }];
    }
    case 'RemoveItem': {
      assertOpenCartOf(state, command.actor);
      if (!findLine(state, command.productId)) throw new NotFoundError('No such line in the cart');
      return [{ type: 'CartItemRemoved', data: { cartId: command.cartId, productId: command.productId } }];
    }
    case 'RemoveDiscount':
      assertOpenCartOf(state, command.actor);
      return state.discount ? [{ type: 'CartDiscountRemoved', data: { cartId: command.cartId } }] : [];
    default:
      return unreachable(command);
  }
}

function evolve(state: CartState, event: CartEvent): CartState {
  switch (event.type) {
    case 'CartCreated':
      return { exists: true, customerId: event.data.customerId, status: 'open', lines: [], discount: null };
    case 'CartItemAdded': {
      const { productId, quantity } = event.data;
      if (!findLine(state, productId)) return { ...state, lines: [...state.lines, { productId, quantity }] };
      return {
        ...state,
        lines: state.lines.map((line) => (line.productId === productId ? { productId, quantity: line.quantity + quantity } : line)),
      };
    }
    case 'CartItemQuantityChanged': {
      const { productId, quantity } = event.data;
      return { ...state, lines: state.lines.map((line) => (line.productId === productId ? { productId, quantity } : line)) };
    }
    case 'CartItemRemoved':
      return { ...state, lines: state.lines.filter((line) => line.productId !== event.data.productId) };
    case 'CartCheckedOut':
      return { ...state, status: 'checked_out' };
    case 'CartDiscountApplied':
      return { ...state, discount: { codeId: event.data.codeId, code: event.data.code } };
    case 'CartDiscountRemoved':
      return { ...state, discount: null };
    default:
      return unreachable(event);
  }
}

export const cartDecider: Decider<CartCommand, CartState, CartEvent, CartReads> = { initialState, decide, evolve };
