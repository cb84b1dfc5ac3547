import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';

export type Role = 'customer' | 'admin';

export interface Caller {
  /** The customer id (`sub`). */
  readonly id: string;
  readonly roles: readonly Role[];
  readonly isAdmin: boolean;
}

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

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
}

const KNOWN_ROLES: readonly Role[] = ['customer', 'admin'];

/**
 * Default-deny: every route needs a valid HS256 bearer token unless marked @Public(). The algorithm is
 * pinned, so `alg: none` and asymmetric-algorithm confusion are rejected; `exp` is required.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC, targets);
    const header = request.headers.authorization;
    if (isPublic && !header) return true;

    request.caller = await this.authenticate(header);
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (required && !required.some((role) => request.caller!.roles.includes(role))) {
      throw new ForbiddenException({ code: 'FORBIDDEN', message: `Requires role: ${required.join(' or ')}` });
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Caller> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
    if (!match) throw unauthenticated('Missing or malformed bearer token');
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims & object>(match[1], { algorithms: ['HS256'] });
    } catch {
      throw unauthenticated('Invalid or expired token');
    }
    const { sub, roles, exp } = claims;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw unauthenticated('Token has no valid sub');
    if (typeof exp !== 'number') throw unauthenticated('Token has no exp');
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unauthenticated('Token has no valid roles');
    const known = roles.filter((r): r is Role => KNOWN_ROLES.includes(r as Role));
    return { id: sub, roles: known, isAdmin: known.includes('admin') };
  }
}

function unauthenticated(message: string): UnauthorizedException {
  return new UnauthorizedException({ code: 'UNAUTHENTICATED', message });
}
