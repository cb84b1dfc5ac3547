import { unreachable, type Decider } from '../../event-store/decider.js';
import { ConflictError, NotFoundError } from '../../event-store/errors.js';
import type { ProductEvent } from './product.events.js';

export interface CreateProduct {
  readonly type: 'CreateProduct';
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly stock: number;
}

export interface UpdateProduct {
  readonly type: 'UpdateProduct';
  readonly productId: string;
  readonly name?: string;
  readonly description?: string;
  readonly priceCents?: number;
}

export interface AdjustStock {
  readonly type: 'AdjustStock';
  readonly productId: string;
  readonly delta: number;
}

export type ProductCommand = CreateProduct | UpdateProduct | AdjustStock;

export interface ProductState {
  readonly exists: boolean;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly stockOnHand: number;
  /** Total set aside by open (placed or paid) orders; always <= stockOnHand. */
  readonly reserved: number;
}

const initialState: ProductState = {
  exists: false,
  sku: '',
  name: '',
  description: '',
  priceCents: 0,
  stockOnHand: 0,
  reserved: 0,
};

/** What a new order may still reserve. */
export function stockAvailable(state: ProductState): number {
  return state.stockOnHand - state.reserved;
}

function decide(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.type) {
    case 'CreateProduct': {
      if (state.exists) throw new ConflictError('PRODUCT_EXISTS', 'The product already exists');
      const { productId, sku, name, description, priceCents, stock } = command;
      return [{ type: 'ProductCreated', data: { productId, sku, name, description, priceCents, stock } }];
    }
    case 'UpdateProduct': {
      if (!state.exists) throw new NotFoundError('Product not found');
      const changes: { name?: string; description?: string; priceCents?: number } = {};
      if (command.name !== undefined && command.name !== state.name) changes.name = command.name;
      if (command.description !== undefined && command.description !== state.description) changes.description = command.description;
      if (command.priceCents !== undefined && command.priceCents !== state.priceCents) changes.priceCents = command.priceCents;
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'ProductUpdated', data: { productId: command.productId, ...changes } }];
    }
    case 'AdjustStock': {
      if (!state.exists) throw new NotFoundError('Product not found');
      if (command.delta === 0) return [];
      // Stock promised to open orders cannot be adjusted away.
      const onHand = state.stockOnHand + command.delta;
      if (onHand < 0 || onHand < state.reserved) {
        throw new ConflictError('INSUFFICIENT_STOCK', 'Stock on hand cannot go below what open orders reserve', [
          { productId: command.productId, requested: command.delta, available: stockAvailable(state) },
        ]);
      }
      return [{ type: 'StockAdjusted', data: { productId: command.productId, delta: command.delta } }];
    }
    default:
      return unreachable(command);
  }
}

function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductCreated': {
      const { sku, name, description, priceCents, stock } = event.data;
      return { exists: true, sku, name, description, priceCents, stockOnHand: stock, reserved: 0 };
    }
    case 'ProductUpdated': {
      const { name, description, priceCents } = event.data;
      return {
        ...state,
        name: name ?? state.name,
        description: description ?? state.description,
        priceCents: priceCents ?? state.priceCents,
      };
    }
    case 'StockAdjusted':
      return { ...state, stockOnHand: state.stockOnHand + event.data.delta };
    case 'StockReserved':
      return { ...state, reserved: state.reserved + event.data.quantity };
    case 'StockReleased':
      return { ...state, reserved: state.reserved - event.data.quantity };
    case 'StockShipped':
      return { ...state, stockOnHand: state.stockOnHand - event.data.quantity, reserved: state.reserved - event.data.quantity };
    default:
      return unreachable(event);
  }
}

export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = { initialState, decide, evolve };
