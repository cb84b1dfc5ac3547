import { BadRequestException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
 *
 * A guard, not an interceptor, though it guards nothing: it only has to run before the handler, and
 * any global interceptor puts every route of the service through Nest's rxjs layer (observables built
 * and torn down per request, a tenth of a GET's CPU in bench/PROFILE.md). It runs after AuthGuard, so a
 * refused caller never waits.
 */
@Injectable()
export class ReadModelGuard implements CanActivate {
  private readonly namesOf = new WeakMap<object, readonly string[]>();

  constructor(
    private readonly reflector: Reflector,
    private readonly runner: ProjectionRunner,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const names = this.readModelsOf(context);
    if (!names.length) return true;
    const http = context.switchToHttp();
    const minPosition = parseMinPosition(http.getRequest<FastifyRequest>().headers['x-min-position']);
    const reply = http.getResponse<FastifyReply>();
    const known = minPosition === undefined ? this.runner.localPositionOf(names) : undefined;
    if (known !== undefined) {
      // The common case, without a query: this instance applies the read models itself.
      void reply.header('X-Projection-Position', known);
      return true;
    }
    if (minPosition !== undefined && !(await this.runner.waitForPosition(names, minPosition, MIN_POSITION_WAIT_MS))) {
      throw new ProjectionLaggingError(minPosition);
    }
    void reply.header('X-Projection-Position', await this.runner.positionOf(names));
    return true;
  }

  /** The handler's read models, looked up once per handler. */
  private readModelsOf(context: ExecutionContext): readonly string[] {
    const handler = context.getHandler();
    let names = this.namesOf.get(handler);
    if (names === undefined) {
      names = this.reflector.getAllAndOverride<string[] | undefined>(USES_READ_MODELS, [handler, context.getClass()]) ?? [];
      this.namesOf.set(handler, names);
    }
    return names;
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
