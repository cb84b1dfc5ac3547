import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext, CommandResult } from '../../event-store/command-runner.js';
import { Roles } from '../../http/auth.js';
import { CommandCtx } from '../../http/command-context.js';
import { CommandResultDto } from '../../http/command-result.dto.js';
import { ApiModuleTag } from '../../http/openapi/module-tag.js';
import { ApiCommand } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { REVIEW_EXISTS, REVIEW_HIDDEN, REVIEW_NOT_ALLOWED } from './review.decider.js';
import { EditReviewDto, HideReviewDto, PostReviewDto } from './reviews.dto.js';
import { ChangeReviewCommand, PostReviewCommand } from './reviews.handlers.js';

@ApiModuleTag('reviews', 'Product reviews and ratings')
@Controller()
export class ReviewsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('products/:id/reviews')
  @Roles('customer')
  @ApiCommand({
    method: 'POST',
    operationId: 'postReview',
    summary: 'Review a product',
    description: 'Once per customer and product, by a customer with a delivered order holding it. The answer names the review.',
    access: 'customer',
    status: 201,
    type: CommandResultDto,
    body: { type: PostReviewDto, examples: { review: { summary: 'A review', value: { rating: 4, text: 'Keeps tea hot.' } } } },
    conflicts: [REVIEW_NOT_ALLOWED, REVIEW_EXISTS],
    errors: ['NOT_FOUND', 'PROJECTION_LAGGING'],
  })
  @ApiUuidParam('id', 'The product')
  post(@Param('id', UuidParamPipe) productId: string, @Body() body: PostReviewDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new PostReviewCommand(productId, { rating: body.rating, text: body.text }, ctx));
  }

  @Patch('reviews/:id')
  @Roles('customer')
  @ApiCommand({
    method: 'PATCH',
    operationId: 'editReview',
    summary: 'Edit your review',
    description: 'Its author only (403 for anyone else).',
    access: 'customer',
    status: 200,
    type: CommandResultDto,
    body: { type: EditReviewDto, examples: { rating: { summary: 'A new rating', value: { rating: 5 } } } },
    conflicts: [REVIEW_HIDDEN],
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The review')
  edit(@Param('id', UuidParamPipe) reviewId: string, @Body() body: EditReviewDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    const command = { type: 'EditReview', reviewId, customerId: ctx.actor, rating: body.rating, text: body.text, editedAt: new Date().toISOString() } as const;
    return this.commands.execute(new ChangeReviewCommand(command, ctx));
  }

  @Post('reviews/:id/hide')
  @HttpCode(200)
  @Roles('admin')
  @ApiCommand({
    method: 'POST',
    operationId: 'hideReview',
    summary: 'Hide a review',
    description: 'It leaves the list and the rating; hiding it again changes nothing.',
    access: 'admin',
    status: 200,
    type: CommandResultDto,
    body: { type: HideReviewDto, examples: { spam: { summary: 'Off topic', value: { reason: 'Not about the product' } } } },
    errors: ['NOT_FOUND'],
  })
  @ApiUuidParam('id', 'The review')
  hide(@Param('id', UuidParamPipe) reviewId: string, @Body() body: HideReviewDto, @CommandCtx() ctx: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new ChangeReviewCommand({ type: 'HideReview', reviewId, reason: body.reason, hiddenAt: new Date().toISOString() }, ctx));
  }
}
