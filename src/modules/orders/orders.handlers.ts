import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { discountRelease, orderDecider, stockMovements, type OrderCommand } from './order.decider.js';
import { ORDER_STREAM } from './order.events.js';

/** Pay, ship, deliver or cancel an order. */
export class ChangeOrderCommand extends Command<CommandResult> {
  constructor(readonly command: OrderCommand, readonly ctx: CommandContext) {
    super();
  }
}

/**
 * Appends the order's new events together with what they do to stock (cancel releases, ship takes off
 * the shelf), atomically. Stock movements only ever loosen the product's invariant, so they are
 * appended at whatever version the product is at ('any').
 */
@CommandHandler(ChangeOrderCommand)
export class ChangeOrderHandler implements ICommandHandler<ChangeOrderCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ command, ctx }: ChangeOrderCommand): Promise<CommandResult> {
    const orderId = command.orderId;
    return this.runner.execute(orderId, ctx, async (session) => {
      const order = await session.load(orderDecider, orderId, { primary: true, streamType: ORDER_STREAM });
      const events = orderDecider.decide(command, order.state);
      const stock = stockMovements(order.state, events);
      const release = discountRelease(order.state, events);
      return {
        appends: [
          { streamId: orderId, streamType: ORDER_STREAM, events },
          ...stock.map((s) => ({ streamId: s.productId, streamType: PRODUCT_STREAM, events: s.events, expectedVersion: 'any' as const })),
          // Giving a redemption back only loosens the code's limits, so it needs no version either.
          ...(release ? [{ ...release, expectedVersion: 'any' as const }] : []),
        ],
        result: (appended) => ({
          id: orderId,
          version: appended?.versions.get(orderId) ?? order.version,
          position: appended?.lastPosition ?? order.position,
        }),
      };
    });
  }
}

export const orderCommandHandlers = [ChangeOrderHandler];
