import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { CLOCK, systemClock, type Clock } from '../reactions/clock.js';
import { isStorableText } from './storable-text.js';
import { VerifiedTokens } from './verified-tokens.js';

export type Role = 'customer' | 'admin';

export interface Caller {
  /** The customer id (`sub`). */
  readonly id: string;
  readonly roles: readonly Role[];
  readonly isAdmin: boolean;
}

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller; identity?: Promise<Caller | UnauthorizedException | undefined> };

const PUBLIC = 'eventshop:public';
const ROLES = 'eventshop:roles';

/** Marks a route (or controller) as open to anonymous callers. Everything else needs a token. */
export const Public = () => SetMetadata(PUBLIC, true);

/** Restricts a route to callers holding one of the roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The authenticated caller of this request. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'Authentication required' });
  return caller;
});

interface Claims {
  sub?: unknown;
  roles?: unknown;
  exp?: unknown;
  iat?: unknown;
}

const KNOWN_ROLES: readonly Role[] = ['customer', 'admin'];

/** How far a token's `iat` may lie in the future (clock skew between the issuer and us). */
const IAT_SKEW_SECONDS = 60;

/** Who a request's bearer token names: the caller, or the 401 that refuses it (undefined: no token). */
type Identity = Caller | UnauthorizedException | undefined;

/**
 * Checks a request's bearer token once; the rate limiter (in onRequest, to count refused tokens too)
 * and the AuthGuard both ask, and share the one verification memoised on the request. Accepted tokens
 * are remembered until their `exp` (verified-tokens.ts), so a caller's next requests skip the HMAC.
 * Every time check (`exp`, `iat`, the lifetime) goes by the injected clock, the one tests drive.
 */
@Injectable()
export class Authenticator {
  private readonly maxTtlSeconds: number;
  private readonly verified = new VerifiedTokens<Caller>();

  constructor(
    private readonly jwt: JwtService,
    config: AppConfig,
    // Optional: application contexts without the reactions module (some tests) use the system clock.
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.maxTtlSeconds = config.JWT_MAX_TTL_SECONDS;
  }

  identify(request: AuthenticatedRequest): Promise<Identity> {
    request.identity ??= this.verify(request.headers.authorization).catch((error: unknown) => {
      if (error instanceof UnauthorizedException) return error;
      throw error;
    });
    return request.identity;
  }

  private async verify(header: string | undefined): Promise<Caller | undefined> {
    if (header === undefined) return undefined;
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match) throw unauthenticated('Missing or malformed bearer token');
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const known = this.verified.get(match[1], now);
    if (known) return known;
    let token: { header: { crit?: unknown }; payload: Claims };
    try {
      // The algorithm is pinned, so `alg: none` and asymmetric-algorithm confusion are rejected.
      token = await this.jwt.verifyAsync(match[1], { algorithms: ['HS256'], complete: true, clockTimestamp: now });
    } catch {
      throw unauthenticated('Invalid or expired token');
    }
    // RFC 7515 4.1.11: a `crit` header names extensions we must understand; we understand none.
    if (token.header.crit !== undefined) throw unauthenticated('Token has a crit header this service does not understand');
    const { sub, roles, exp, iat } = token.payload;
    if (!isValidSub(sub)) throw unauthenticated('Token has no valid sub');
    if (typeof exp !== 'number') throw unauthenticated('Token has no exp');
    if (iat !== undefined && typeof iat !== 'number') throw unauthenticated('Token has an invalid iat');
    if (iat !== undefined && iat > now + IAT_SKEW_SECONDS) throw unauthenticated('Token is issued in the future');
    if (exp - (iat ?? now) > this.maxTtlSeconds) throw unauthenticated(`Token lives longer than ${this.maxTtlSeconds} s`);
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unauthenticated('Token has no valid roles');
    const held = roles.filter((r): r is Role => KNOWN_ROLES.includes(r as Role));
    // Frozen: one cached caller object serves every request that carries this token.
    const caller: Caller = Object.freeze({ id: sub, roles: Object.freeze(held), isAdmin: held.includes('admin') });
    this.verified.set(match[1], { caller, exp });
    return caller;
  }
}

/** The contract's customer id: 1..128 characters, and text the database can store (no NUL, no lone surrogate). */
function isValidSub(sub: unknown): sub is string {
  return typeof sub === 'string' && sub.length > 0 && sub.length <= 128 && isStorableText(sub);
}

/**
 * Default-deny: every route needs a valid HS256 bearer token with a known role unless marked @Public();
 * @Roles narrows it further.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC, targets);
    const identity = await this.authenticator.identify(request);
    if (identity instanceof UnauthorizedException) throw identity;
    if (identity === undefined) {
      if (isPublic) return true;
      throw unauthenticated('Missing or malformed bearer token');
    }
    request.caller = identity;
    if (isPublic) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets) ?? KNOWN_ROLES;
    if (!required.some((role) => identity.roles.includes(role))) {
      throw new ForbiddenException({ code: 'FORBIDDEN', message: `Requires role: ${required.join(' or ')}` });
    }
    return true;
  }
}

function unauthenticated(message: string): UnauthorizedException {
  return new UnauthorizedException({ code: 'UNAUTHENTICATED', message });
}
