import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../config/app-config.js';
import { CommandRunner, type CommandContext, type CommandResult, type CommandSession } from '../../event-store/command-runner.js';
import { NotFoundError } from '../../event-store/errors.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { discountCodeId, loadDiscountFor } from '../discounts/discounts.public.js';
import { ORDER_STREAM } from '../orders/order.events.js';
import { SHIPPING_METHODS_STREAM, SHIPPING_METHODS_STREAM_ID, TAX_RATES_STREAM, TAX_RATES_STREAM_ID } from '../shipping/shipping.events.js';
import { shippingMethodsView, taxRatesView } from '../shipping/shipping.public.js';
import { cartDecider, type CartCommand, type CartState } from './cart.decider.js';
import { CART_STREAM } from './cart.events.js';
import { decideApplyDiscount } from './cart-discount.decider.js';
import { decideCheckout, productView, type ProductView } from './checkout.decider.js';
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

  execute({ cartId, shippingAddress, shippingMethodId, ctx }: CheckoutCommand): Promise<CommandResult> {
    const orderId = randomUUID();
    return this.runner.execute(cartId, ctx, async (session) => {
      const cart = await session.load(cartDecider, cartId, { primary: true, streamType: CART_STREAM });
      // Shipping and tax are read, not written: an order keeps what it was placed with.
      const [products, shippingMethods, taxRates, discount] = await Promise.all([
        loadProducts(session, cart.state),
        session.load(shippingMethodsView, SHIPPING_METHODS_STREAM_ID, { streamType: SHIPPING_METHODS_STREAM }),
        session.load(taxRatesView, TAX_RATES_STREAM_ID, { streamType: TAX_RATES_STREAM }),
        cart.state.discount && cart.state.customerId === ctx.actor ? loadDiscountFor(session, cart.state.discount.codeId, ctx.actor) : null,
      ]);
      const command = {
        cartId,
        orderId,
        customerId: ctx.actor,
        placedAt: new Date().toISOString(),
        currency: this.config.STORE_CURRENCY,
        shippingAddress,
        shippingMethodId,
      };
      const pricing = { shippingMethods: shippingMethods.state, taxRates: taxRates.state, discount };
      const decision = decideCheckout(command, cart.state, products, pricing);
      return {
        appends: [
          { streamId: cartId, streamType: CART_STREAM, events: decision.cart },
          { streamId: orderId, streamType: ORDER_STREAM, events: decision.order, expectedVersion: 0 },
          ...decision.stock.map((s) => ({ streamId: s.productId, streamType: PRODUCT_STREAM, events: s.events })),
          // At the version the code's limits were read at: of racing redemptions past a limit, one appends.
          ...(decision.redemption ? [decision.redemption] : []),
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
