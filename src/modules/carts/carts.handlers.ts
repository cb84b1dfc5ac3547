import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../config/app-config.js';
import { CommandRunner, type CommandContext, type CommandResult, type CommandSession } from '../../event-store/command-runner.js';
import { NotFoundError } from '../../event-store/errors.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { ORDER_STREAM } from '../orders/order.events.js';
import { cartDecider, type CartCommand } from './cart.decider.js';
import { CART_STREAM } from './cart.events.js';
import { decideCheckout, productView, type ProductView } from './checkout.decider.js';
import type { ShippingAddressDto } from './carts.dto.js';

/** Every cart command but checkout: create, add, set quantity, remove. */
export class ChangeCartCommand extends Command<CommandResult> {
  constructor(readonly command: CartCommand, readonly ctx: CommandContext) {
    super();
  }
}

export class CheckoutCommand extends Command<CommandResult> {
  constructor(readonly cartId: string, readonly shippingAddress: ShippingAddressDto, readonly ctx: CommandContext) {
    super();
  }
}

@CommandHandler(ChangeCartCommand)
export class ChangeCartHandler implements ICommandHandler<ChangeCartCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ command, ctx }: ChangeCartCommand): Promise<CommandResult> {
    const cart = { id: command.cartId, type: CART_STREAM };
    const addsProduct = (command.type === 'AddItem' || command.type === 'SetItemQuantity') && command.quantity > 0;
    // A line may only name a product the catalog has; its price is looked up when the cart is shown.
    const precondition = addsProduct
      ? async (session: CommandSession) => {
          if (!(await session.load(productView, command.productId, { streamType: PRODUCT_STREAM })).state.exists) throw new NotFoundError('Product not found');
        }
      : undefined;
    return this.runner.run(cartDecider, cart, command, ctx, { precondition });
  }
}

/**
 * Places the order at current catalog prices, reserves every line's stock and closes the cart in one
 * atomic multi-stream append, with the version each stream was read at. A concurrent sale of the same
 * product makes the append fail and the runner decide again against the new stock.
 */
@CommandHandler(CheckoutCommand)
export class CheckoutHandler implements ICommandHandler<CheckoutCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly config: AppConfig,
  ) {}

  execute({ cartId, shippingAddress, ctx }: CheckoutCommand): Promise<CommandResult> {
    const orderId = randomUUID();
    return this.runner.execute(cartId, ctx, async (session) => {
      const cart = await session.load(cartDecider, cartId, { primary: true, streamType: CART_STREAM });
      const views = await Promise.all(cart.state.lines.map((line) => session.load(productView, line.productId)));
      const products = new Map<string, ProductView>(cart.state.lines.map((line, i) => [line.productId, views[i].state]));
      const command = {
        cartId,
        orderId,
        customerId: ctx.actor,
        placedAt: new Date().toISOString(),
        currency: this.config.STORE_CURRENCY,
        shippingAddress,
      };
      const decision = decideCheckout(command, cart.state, products);
      return {
        appends: [
          { streamId: cartId, streamType: CART_STREAM, events: decision.cart },
          { streamId: orderId, streamType: ORDER_STREAM, events: decision.order, expectedVersion: 0 },
          ...decision.stock.map((s) => ({ streamId: s.productId, streamType: PRODUCT_STREAM, events: s.events })),
        ],
        result: (appended) => ({
          id: orderId,
          cartId,
          version: appended?.versions.get(orderId) ?? 0,
          position: appended?.lastPosition ?? cart.position,
        }),
      };
    });
  }
}

export const cartCommandHandlers = [ChangeCartHandler, CheckoutHandler];
