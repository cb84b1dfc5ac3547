import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './auth.js';

/** Limits per caller once authenticated (runs after AuthGuard), per IP when anonymous. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const r = request as unknown as AuthenticatedRequest;
    return r.caller ? `caller:${r.caller.id}` : `ip:${r.ip}`;
  }
}
