import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { shippingMethodsDecider, type ShippingMethodCommand } from './shipping-methods.decider.js';
import { SHIPPING_METHODS_STREAM, SHIPPING_METHODS_STREAM_ID, TAX_RATES_STREAM, TAX_RATES_STREAM_ID } from './shipping.events.js';
import type { CreateShippingMethodDto, UpdateShippingMethodDto } from './shipping.dto.js';
import { taxRatesDecider } from './tax-rates.decider.js';

export class CreateShippingMethodCommand extends Command<CommandResult> {
  constructor(readonly input: CreateShippingMethodDto, readonly ctx: CommandContext) {
    super();
  }
}

export class UpdateShippingMethodCommand extends Command<CommandResult> {
  constructor(readonly methodId: string, readonly input: UpdateShippingMethodDto, readonly ctx: CommandContext) {
    super();
  }
}

export class SetTaxRateCommand extends Command<CommandResult> {
  constructor(readonly country: string, readonly rateBasisPoints: number, readonly ctx: CommandContext) {
    super();
  }
}

/**
 * Every method lives in the one shipping-methods stream, so the answer's `version` (and `If-Match`) is
 * that stream's: the list's version, not the method's alone.
 */
function runOnMethods(runner: CommandRunner, command: ShippingMethodCommand, ctx: CommandContext): Promise<CommandResult> {
  return runner.execute(SHIPPING_METHODS_STREAM_ID, ctx, async (session) => {
    const loaded = await session.load(shippingMethodsDecider, SHIPPING_METHODS_STREAM_ID, { primary: true, streamType: SHIPPING_METHODS_STREAM });
    const events = shippingMethodsDecider.decide(command, loaded.state, {});
    return {
      appends: [{ streamId: SHIPPING_METHODS_STREAM_ID, streamType: SHIPPING_METHODS_STREAM, events }],
      result: (appended) => ({
        id: command.methodId,
        version: appended?.versions.get(SHIPPING_METHODS_STREAM_ID) ?? loaded.version,
        position: appended?.lastPosition ?? loaded.position,
      }),
    };
  });
}

@CommandHandler(CreateShippingMethodCommand)
export class CreateShippingMethodHandler implements ICommandHandler<CreateShippingMethodCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ input, ctx }: CreateShippingMethodCommand): Promise<CommandResult> {
    const { code, name, priceCents, freeOverCents, countries } = input;
    const command = { type: 'CreateShippingMethod' as const, methodId: randomUUID(), code, name, priceCents, freeOverCents: freeOverCents ?? null, countries };
    return runOnMethods(this.runner, command, ctx);
  }
}

@CommandHandler(UpdateShippingMethodCommand)
export class UpdateShippingMethodHandler implements ICommandHandler<UpdateShippingMethodCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ methodId, input, ctx }: UpdateShippingMethodCommand): Promise<CommandResult> {
    const { name, priceCents, freeOverCents, countries, active } = input;
    return runOnMethods(this.runner, { type: 'ChangeShippingMethod', methodId, name, priceCents, freeOverCents, countries, active }, ctx);
  }
}

@CommandHandler(SetTaxRateCommand)
export class SetTaxRateHandler implements ICommandHandler<SetTaxRateCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ country, rateBasisPoints, ctx }: SetTaxRateCommand): Promise<CommandResult> {
    return this.runner.run(taxRatesDecider, { id: TAX_RATES_STREAM_ID, type: TAX_RATES_STREAM }, { type: 'SetTaxRate', country, rateBasisPoints }, ctx);
  }
}

export const shippingCommandHandlers = [CreateShippingMethodHandler, UpdateShippingMethodHandler, SetTaxRateHandler];
