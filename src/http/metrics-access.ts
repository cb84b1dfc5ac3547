import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenException, Injectable, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import type { AuthenticatedRequest } from './auth.js';

type MetricsRequest = AuthenticatedRequest & { metricsTokenAccepted?: boolean };

/**
 * Who may read GET /metrics (the contract's METRICS_TOKEN): a bearer equal to METRICS_TOKEN, or an
 * admin; without METRICS_TOKEN outside production, anyone.
 */
@Injectable()
export class MetricsAccess implements OnModuleInit {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.tokenDigest = config.METRICS_TOKEN === undefined ? undefined : digest(config.METRICS_TOKEN);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || !this.tokenDigest) return;
    // The metrics token is no JWT: the global auth guard would refuse it with 401. So it is checked
    // before the guards run, and, once accepted, taken off the request for the guard not to see.
    fastify.addHook('onRequest', async (request: FastifyRequest & { metricsTokenAccepted?: boolean }) => {
      if (request.routeOptions.url !== '/metrics') return;
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ') && timingSafeEqual(digest(header.slice('Bearer '.length)), this.tokenDigest!)) {
        request.metricsTokenAccepted = true;
        delete request.headers.authorization;
      }
    });
  }

  /** Throws 401/403 unless this request may read the metrics. */
  check(request: MetricsRequest): void {
    if (request.metricsTokenAccepted || request.caller?.isAdmin) return;
    if (!this.tokenDigest && this.config.NODE_ENV !== 'production') return;
    if (request.caller) throw new ForbiddenException({ code: 'FORBIDDEN', message: 'Metrics need the metrics token or the admin role' });
    throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'Metrics need the metrics token or an admin token' });
  }
}

/** Equal-length digests, so the comparison takes the same time whatever the token's length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
