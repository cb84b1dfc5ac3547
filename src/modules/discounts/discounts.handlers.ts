import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { discountCodeDecider } from './discount-code.decider.js';
import { DISCOUNT_CODE_STREAM } from './discounts.events.js';
import type { CreateDiscountCodeDto } from './discounts.dto.js';
import { discountCodeId } from './discounts.public.js';

export class CreateDiscountCodeCommand extends Command<CommandResult> {
  constructor(readonly input: CreateDiscountCodeDto, readonly ctx: CommandContext) {
    super();
  }
}

export class DeactivateDiscountCodeCommand extends Command<CommandResult> {
  constructor(readonly codeId: string, readonly ctx: CommandContext) {
    super();
  }
}

const iso = (time: string | undefined): string | null => (time === undefined ? null : new Date(time).toISOString());

/** The code's stream id comes from the code: of two racing creates of one code, one appends, one is CODE_TAKEN. */
@CommandHandler(CreateDiscountCodeCommand)
export class CreateDiscountCodeHandler implements ICommandHandler<CreateDiscountCodeCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ input, ctx }: CreateDiscountCodeCommand): Promise<CommandResult> {
    const codeId = discountCodeId(input.code);
    return this.runner.run(
      discountCodeDecider,
      { id: codeId, type: DISCOUNT_CODE_STREAM },
      {
        type: 'CreateDiscountCode',
        codeId,
        code: input.code,
        kind: input.kind,
        value: input.value,
        minSubtotalCents: input.minSubtotalCents ?? null,
        startsAt: iso(input.startsAt),
        endsAt: iso(input.endsAt),
        maxRedemptions: input.maxRedemptions ?? null,
        maxPerCustomer: input.maxPerCustomer ?? 1,
      },
      ctx,
    );
  }
}

@CommandHandler(DeactivateDiscountCodeCommand)
export class DeactivateDiscountCodeHandler implements ICommandHandler<DeactivateDiscountCodeCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ codeId, ctx }: DeactivateDiscountCodeCommand): Promise<CommandResult> {
    const command = { type: 'DeactivateDiscountCode' as const, codeId, deactivatedAt: new Date().toISOString() };
    return this.runner.run(discountCodeDecider, { id: codeId, type: DISCOUNT_CODE_STREAM }, command, ctx);
  }
}

export const discountCommandHandlers = [CreateDiscountCodeHandler, DeactivateDiscountCodeHandler];
