import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../config/app-config.js';
import { CommandRunner, type CommandContext, type CommandResult, type CommandSession } from '../../event-store/command-runner.js';
import { read, readEach } from '../../event-store/stream-reads.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { discountCodeId, loadDiscountFor } from '../discounts/discounts.public.js';
import { SHIPPING_METHODS_STREAM, SHIPPING_METHODS_STREAM_ID, TAX_RATES_STREAM, TAX_RATES_STREAM_ID } from '../shipping/shipping.events.js';
import { shippingMethodsView, taxRatesView } from '../shipping/shipping.public.js';
import { cartDecider, type CartCommand, type CartState } from './cart.decider.js';
import { CART_STREAM } from './cart.events.js';
import { decideApplyDiscount } from './cart-discount.decider.js';
import { checkoutDecider, productView, type ProductView } from './checkout.decider.js';
import type { ShippingAddressDto } from './carts.dto.js';

/** Every cart command but checkout: create, add, set quantity, remove. */
export class ChangeCartCommand extends Command<CommandResult> {
  constructor(readonly command: CartCommand, readonly ctx: CommandContext) {
    super();
  }
}

export class CheckoutCommand extends Command<CommandResult> {
  constructor(
    readonly cartId: string,
    readonly shippingAddress: ShippingAddressDto,
    readonly shippingMethodId: string | undefined,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}

export class ApplyDiscountCommand extends Command<CommandResult> {
  constructor(readonly cartId: string, readonly code: string, readonly ctx: CommandContext) {
    super();
  }
}

/** The catalog's view of each product in the cart, read through the command's session. */
async function loadProducts(session: CommandSession, cart: CartState): Promise<Map<string, ProductView>> {
  const views = await Promise.all(cart.lines.map((line) => session.load(productView, line.productId)));
  return new Map(cart.lines.map((line, i) => [line.productId, views[i].state]));
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

  execute({ cartId, shippingAddress, shippingMethodId, ctx }: CheckoutCommand): Promise<CommandResult> {
    const orderId = randomUUID();
    const placedAt = new Date().toISOString();
    const command = { cartId, orderId, customerId: ctx.actor, placedAt, currency: this.config.STORE_CURRENCY, shippingAddress, shippingMethodId };
    return this.runner.run(checkoutDecider, { id: cartId, type: CART_STREAM }, command, ctx, {
      // Guarded: prices, stock, the shipping methods and the tax rates must not change under the decision
      // (the reservations are appended at the products' versions anyway). The code is read through
      // discounts.public.ts, its limits' stream appended at the version read.
      reads: (cart) => ({
        products: readEach(productView, cart.lines.map((line) => line.productId), { guard: true }),
        shippingMethods: read(shippingMethodsView, SHIPPING_METHODS_STREAM_ID, { streamType: SHIPPING_METHODS_STREAM, guard: true }),
        taxRates: read(taxRatesView, TAX_RATES_STREAM_ID, { streamType: TAX_RATES_STREAM, guard: true }),
        discount: {
          load: (session) => (cart.discount && cart.customerId === ctx.actor ? loadDiscountFor(session, cart.discount.codeId, ctx.actor) : Promise.resolve(null)),
        },
      }),
      answerFor: { id: orderId, cartId },
    });
  }
}

/** Puts a code on the cart if it applies now; checkout checks it again. */
@CommandHandler(ApplyDiscountCommand)
export class ApplyDiscountHandler implements ICommandHandler<ApplyDiscountCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ cartId, code, ctx }: ApplyDiscountCommand): Promise<CommandResult> {
    return this.runner.execute(cartId, ctx, async (session) => {
      const cart = await session.load(cartDecider, cartId, { primary: true, streamType: CART_STREAM });
      const [products, discount] = await Promise.all([loadProducts(session, cart.state), loadDiscountFor(session, discountCodeId(code), ctx.actor)]);
      const events = decideApplyDiscount({ cartId, customerId: ctx.actor, now: new Date().toISOString() }, cart.state, products, discount);
      return {
        appends: [{ streamId: cartId, streamType: CART_STREAM, events }],
        result: (appended) => ({ id: cartId, version: appended?.versions.get(cartId) ?? cart.version, position: appended?.lastPosition ?? cart.position }),
      };
    });
  }
}

export const cartCommandHandlers = [ChangeCartHandler, CheckoutHandler, ApplyDiscountHandler];
