import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { Authenticator, type AuthenticatedRequest } from './auth.js';

const WINDOW_MS = 60_000;
const THROTTLER_NAME = 'caller';

/**
 * One budget per caller across every route: per token `sub`, or per client address when the request
 * is anonymous or its token is refused. It runs as a Fastify onRequest hook, before routing, body
 * parsing and the guards, so unknown routes, bad bodies and refused tokens all spend the budget too
 * (a per-route Nest guard gave each caller one budget per route, and never saw requests that
 * AuthGuard refused). The client address is Fastify's `request.ip`, which follows X-Forwarded-For
 * only as far as TRUST_PROXY allows. Counting is @nestjs/throttler's storage.
 */
@Injectable()
export class CallerRateLimit {
  private readonly limit: number;

  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly authenticator: Authenticator,
    config: AppConfig,
  ) {
    this.limit = config.RATE_LIMIT_PER_MINUTE;
  }

  async onRequest(request: AuthenticatedRequest, reply: FastifyReply): Promise<void> {
    if (this.limit === 0) return;
    const identity = await this.authenticator.identify(request);
    const key = identity && !(identity instanceof Error) ? `sub:${identity.id}` : `ip:${request.ip}`;
    const { totalHits, timeToExpire, isBlocked, timeToBlockExpire } = await this.storage.increment(key, WINDOW_MS, this.limit, 0, THROTTLER_NAME);
    void reply.header('RateLimit-Limit', this.limit);
    void reply.header('RateLimit-Remaining', Math.max(0, this.limit - totalHits));
    void reply.header('RateLimit-Reset', Math.max(1, isBlocked ? timeToBlockExpire : timeToExpire));
    if (isBlocked) {
      void reply.header('Retry-After', Math.max(1, timeToBlockExpire));
      throw new ThrottlerException();
    }
  }
}
