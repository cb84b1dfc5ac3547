import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { ConflictError } from '../../event-store/errors.js';
import { isUniqueViolation } from '../../event-store/event-store.js';
import type { AdjustStockDto, CreateProductDto, UpdateProductDto } from './catalog.dto.js';
import { productDecider } from './product.decider.js';
import { PRODUCT_STREAM } from './product.events.js';

export class CreateProductCommand extends Command<CommandResult> {
  constructor(readonly input: CreateProductDto, readonly ctx: CommandContext) {
    super();
  }
}

export class UpdateProductCommand extends Command<CommandResult> {
  constructor(readonly productId: string, readonly input: UpdateProductDto, readonly ctx: CommandContext) {
    super();
  }
}

export class AdjustStockCommand extends Command<CommandResult> {
  constructor(readonly productId: string, readonly input: AdjustStockDto, readonly ctx: CommandContext) {
    super();
  }
}

const stream = (id: string) => ({ id, type: PRODUCT_STREAM });

@CommandHandler(CreateProductCommand)
export class CreateProductHandler implements ICommandHandler<CreateProductCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ input, ctx }: CreateProductCommand): Promise<CommandResult> {
    const productId = randomUUID();
    const command = { type: 'CreateProduct' as const, productId, ...input, description: input.description ?? '' };
    // The SKU is claimed in the append's transaction: of two racing creates, one commits, one is SKU_TAKEN.
    return this.runner.run(productDecider, stream(productId), command, ctx, {
      inTransaction: (client) => claimSku(client, input.sku, productId),
    });
  }
}

@CommandHandler(UpdateProductCommand)
export class UpdateProductHandler implements ICommandHandler<UpdateProductCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ productId, input, ctx }: UpdateProductCommand): Promise<CommandResult> {
    return this.runner.run(productDecider, stream(productId), { type: 'UpdateProduct', productId, ...input }, ctx);
  }
}

@CommandHandler(AdjustStockCommand)
export class AdjustStockHandler implements ICommandHandler<AdjustStockCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ productId, input, ctx }: AdjustStockCommand): Promise<CommandResult> {
    return this.runner.run(productDecider, stream(productId), { type: 'AdjustStock', productId, delta: input.delta }, ctx);
  }
}

async function claimSku(client: pg.PoolClient, sku: string, productId: string): Promise<void> {
  try {
    await client.query('INSERT INTO product_skus (sku_key, product_id) VALUES (lower($1), $2)', [sku, productId]);
  } catch (error) {
    if (isUniqueViolation(error, 'product_skus_pkey')) throw new ConflictError('SKU_TAKEN', `SKU ${sku} is already taken`);
    throw error;
  }
}

export const catalogCommandHandlers = [CreateProductHandler, UpdateProductHandler, AdjustStockHandler];
