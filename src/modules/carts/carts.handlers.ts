import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../config/app-config.js';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { read, readEach } from '../../event-store/stream-reads.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { cartDecider, type CartCommand } from './cart.decider.js';
import { CART_STREAM } from './cart.events.js';
import { checkoutDecider, productView } from './checkout.decider.js';
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
    const addsProduct = command.type === 'AddItem' || (command.type === 'SetItemQuantity' && command.quantity > 0);
    const reads = addsProduct ? { product: read(productView, command.productId, { streamType: PRODUCT_STREAM }) } : {};
    return this.runner.run(cartDecider, { id: command.cartId, type: CART_STREAM }, command, ctx, { reads });
  }
}

/**
 * Places the order at current catalog prices, reserves every line's stock and closes the cart in one
 * atomic append. A concurrent sale or price change of a product makes it decide again.
 */
@CommandHandler(CheckoutCommand)
export class CheckoutHandler implements ICommandHandler<CheckoutCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly config: AppConfig,
  ) {}

  execute({ cartId, shippingAddress, ctx }: CheckoutCommand): Promise<CommandResult> {
    const orderId = randomUUID();
    const placedAt = new Date().toISOString();
    const command = { cartId, orderId, customerId: ctx.actor, placedAt, currency: this.config.STORE_CURRENCY, shippingAddress };
    return this.runner.run(checkoutDecider, { id: cartId, type: CART_STREAM }, command, ctx, {
      // Prices, names and stock must not change under the decision (the reservations are appended at these versions anyway).
      reads: (cart) => ({ products: readEach(productView, cart.lines.map((line) => line.productId), { guard: true }) }),
      answerFor: { id: orderId, cartId },
    });
  }
}

export const cartCommandHandlers = [ChangeCartHandler, CheckoutHandler];
