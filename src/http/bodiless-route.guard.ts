import { BadRequestException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyRequest } from 'fastify';

/**
 * A route that declares no @Body() gets no validation pipe for one, so without this guard an unknown
 * body there would be silently ignored. The contract rejects unknown properties everywhere: such a
 * route accepts no body or `{}` (non-object bodies are refused earlier, in request-hygiene.ts).
 */
@Injectable()
export class BodilessRouteGuard implements CanActivate {
  private readonly takesBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return true;
    if (this.declaresBody(context)) return true;
    const names = typeof body === 'object' ? Object.keys(body) : [];
    const details = names.map((field) => ({ field, message: `property ${field} should not exist` }));
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'This route takes no body', details });
  }

  private declaresBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.takesBody.get(handler);
    if (known === undefined) {
      const args: Record<string, unknown> = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
      known = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      this.takesBody.set(handler, known);
    }
    return known;
  }
}
