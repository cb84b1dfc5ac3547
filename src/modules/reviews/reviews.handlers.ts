import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, type CommandContext, type CommandResult } from '../../event-store/command-runner.js';
import { streamIdFor } from '../../event-store/stream-id.js';
import { read, readEach } from '../../event-store/stream-reads.js';
import { PRODUCT_STREAM } from '../catalog/product.events.js';
import { ORDER_STREAM } from '../orders/order.events.js';
import { orderPurchase, productExists, reviewDecider, type EditReview, type HideReview } from './review.decider.js';
import { REVIEW_STREAM } from './review.events.js';
import { ReviewQueries } from './review-queries.js';

export class PostReviewCommand extends Command<CommandResult> {
  constructor(readonly productId: string, readonly review: { rating: number; text: string }, readonly ctx: CommandContext) {
    super();
  }
}

/** Edit or hide. */
export class ChangeReviewCommand extends Command<CommandResult> {
  constructor(readonly command: EditReview | HideReview, readonly ctx: CommandContext) {
    super();
  }
}

/**
 * A review's stream is named by its customer and product, so "one review per customer and product" is
 * the decider's own rule: of two concurrent posts, one appends at version 0 and the other is decided
 * again and refused. The purchase is read from the orders' streams themselves.
 */
@CommandHandler(PostReviewCommand)
export class PostReviewHandler implements ICommandHandler<PostReviewCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly queries: ReviewQueries,
  ) {}

  async execute({ productId, review, ctx }: PostReviewCommand): Promise<CommandResult> {
    const customerId = ctx.actor;
    const reviewId = streamIdFor(REVIEW_STREAM, customerId, productId);
    const orderIds = await this.queries.ordersHolding(customerId, productId);
    const command = { type: 'PostReview', reviewId, productId, customerId, ...review, postedAt: new Date().toISOString() } as const;
    return this.runner.run(reviewDecider, { id: reviewId, type: REVIEW_STREAM }, command, ctx, {
      reads: {
        product: read(productExists, productId, { streamType: PRODUCT_STREAM }),
        orders: readEach(orderPurchase, orderIds, { streamType: ORDER_STREAM }),
      },
    });
  }
}

@CommandHandler(ChangeReviewCommand)
export class ChangeReviewHandler implements ICommandHandler<ChangeReviewCommand> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ command, ctx }: ChangeReviewCommand): Promise<CommandResult> {
    return this.runner.run(reviewDecider, { id: command.reviewId, type: REVIEW_STREAM }, command, ctx);
  }
}

export const reviewCommandHandlers = [PostReviewHandler, ChangeReviewHandler];
