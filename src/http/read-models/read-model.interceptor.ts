import { BadRequestException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { USES_READ_MODELS } from '../../projections/projection.js';
import { ProjectionLaggingError } from '../../projections/projection.errors.js';
import { ProjectionRunner } from '../../projections/projection-runner.js';

/** The contract's bound on how long a read waits for `X-Min-Position`. */
export const MIN_POSITION_WAIT_MS = 5_000;
const MAX_POSITION = 2n ** 63n - 1n;

/**
 * Read-your-writes for handlers marked @UsesReadModels(...): answers `X-Projection-Position` (the lowest
 * checkpoint of those read models, taken before the handler reads, so the response reflects at least
 * that position), and with `X-Min-Position` first waits until they have applied it, or answers 503
 * PROJECTION_LAGGING.
 */
@Injectable()
export class ReadModelInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly runner: ProjectionRunner,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const names = this.reflector.getAllAndOverride<string[] | undefined>(USES_READ_MODELS, [context.getHandler(), context.getClass()]);
    if (!names?.length) return next.handle();
    const http = context.switchToHttp();
    const minPosition = parseMinPosition(http.getRequest<FastifyRequest>().headers['x-min-position']);
    const reply = http.getResponse<FastifyReply>();
    const known = minPosition === undefined ? this.runner.localPositionOf(names) : undefined;
    if (known !== undefined) {
      // The common case, without a query or a promise: this instance applies the read models itself.
      void reply.header('X-Projection-Position', known);
      return next.handle();
    }
    return from(this.prepare(names, minPosition, reply)).pipe(switchMap(() => next.handle()));
  }

  private async prepare(names: string[], minPosition: string | undefined, reply: FastifyReply): Promise<void> {
    if (minPosition !== undefined && !(await this.runner.waitForPosition(names, minPosition, MIN_POSITION_WAIT_MS))) {
      throw new ProjectionLaggingError(minPosition);
    }
    void reply.header('X-Projection-Position', await this.runner.positionOf(names));
  }
}

function parseMinPosition(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > MAX_POSITION) {
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'X-Min-Position must be a log position (a non-negative integer)' });
  }
  return BigInt(text).toString();
}
