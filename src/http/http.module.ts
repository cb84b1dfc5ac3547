import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config.js';
import { AdminModule } from './admin/admin.module.js';
import { Authenticator, AuthGuard } from './auth.js';
import { BodilessRouteGuard } from './bodiless-route.guard.js';
import { ErrorFilter } from './error.filter.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsAccess } from './metrics-access.js';
import { IdempotencyPurge } from './idempotency-purge.js';
import { PlatformController } from './platform.controller.js';
import { ReadModelGuard } from './read-models/read-model.guard.js';
import { CallerRateLimit } from './rate-limit.js';
import { RequestIdHeader } from './request-id.js';

/**
 * Cross-cutting HTTP: identity, rate limits, idempotency, read-your-writes, the error filter, health,
 * metrics and the admin routes.
 */
@Module({
  imports: [
    AdminModule,
    TerminusModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // A KeyObject made once: given a string, jsonwebtoken first tries to parse it as a PEM public key
        // on every verify, and that failed parse was a fifth of the service's CPU under load.
        const key = createSecretKey(Buffer.from(config.JWT_SECRET));
        return { secretOrKeyProvider: () => key as unknown as string, signOptions: { algorithm: 'HS256' } };
      },
    }),
  ],
  controllers: [PlatformController],
  providers: [
    HttpMetrics,
    IdempotencyPurge,
    MetricsAccess,
    RequestIdHeader,
    Authenticator,
    { provide: ThrottlerStorage, useClass: ThrottlerStorageService },
    CallerRateLimit,
    // Guards run in this order: who is calling, whether a route without a body got one, then
    // read-your-writes. (Rate limiting runs earlier, as a Fastify hook: see request-edge.ts.)
    // No interceptor anywhere: one puts its routes through Nest's rxjs layer. Idempotency is a guard on
    // the POST routes only, by @ApiCommand and @ApiAction (openapi/api-operation.decorators.ts).
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: BodilessRouteGuard },
    { provide: APP_GUARD, useClass: ReadModelGuard },
    { provide: APP_FILTER, useClass: ErrorFilter },
  ],
  exports: [JwtModule],
})
export class HttpModule {}
