import { createHash } from 'node:crypto';
import { BadRequestException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import pg from 'pg';
import { PG_POOL } from '../database/database.tokens.js';
import type { CommandRequest } from './command-context.js';
import { findIdempotentResponse, replayOf } from './idempotency-record.js';

/**
 * `Idempotency-Key` on a POST: a repeat (same caller, key and request) within 24 h gets the first answer
 * and writes nothing; the same key with another request is 422. The key is recorded in the same
 * transaction as the events (through the command context's `inTransaction` hook, see command-context.ts),
 * so two simultaneous requests with one key cannot both write: the second one's transaction finds the
 * key taken and it replays the first one's answer (idempotency-record.ts).
 *
 * A guard, not an interceptor: it only has to act before the handler, and an interceptor puts its
 * routes through Nest's rxjs layer: rxjs alone was 4.7% of the request thread's profile samples under
 * the add-item load (observables built, subscribed and awaited per request), though nearly no request
 * carries the header.
 * A repeat is answered by throwing the first answer (IdempotentReplay), which the error filter sends: a
 * guard has no other way to answer in the handler's place.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.caller) return true;
    if (typeof key !== 'string' || key.length < 1 || key.length > 200) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'Idempotency-Key must be 1..200 characters' });
    }
    const caller = request.caller.id;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const statusCode = (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
    return findIdempotentResponse(this.pool, caller, key).then((stored) => {
      if (stored) throw replayOf(stored, requestHash);
      request.idempotency = { caller, key, requestHash, statusCode };
      return true;
    });
  }
}
