import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { orderWithStockDecider, type OrderCommand } from './order.decider.js';
import { ORDER_STREAM } from './order.events.js';

/** Pay, ship, deliver or cancel an order. */
export class ChangeOrderCommand extends Command<CommandResult> {
  constructor(readonly command: OrderCommand, readonly ctx: CommandContext) {
    super();
  }
}

/** The order's new events and what they do to stock (orderWithStockDecider), in one atomic append. */
@CommandHandler(ChangeOrderCommand)
export class ChangeOrderHandler implements ICommandHandler<ChangeOrderCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ command, ctx }: ChangeOrderCommand): Promise<CommandResult> {
    return this.runner.run(orderWithStockDecider, { id: command.orderId, type: ORDER_STREAM }, command, ctx);
  }
}

export const orderCommandHandlers = [ChangeOrderHandler];
