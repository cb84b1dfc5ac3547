import { createHash } from 'node:crypto';
import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  UnprocessableEntityException,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import type { FastifyReply } from 'fastify';
import pg from 'pg';
import { catchError, from, Observable, of, switchMap, throwError } from 'rxjs';
import { PG_POOL } from '../database/database.tokens.js';
import { IDEMPOTENCY_RETENTION, IdempotencyRaceError } from './idempotency-record.js';
import type { CommandRequest } from './command-context.js';


interface StoredResponse {
  request_hash: string;
  status_code: number;
  response: unknown;
}

/**
 * `Idempotency-Key` on a POST: a repeat (same caller, key and request) within 24 h gets the first answer
 * and writes nothing; the same key with another request is 422. The key is recorded in the same
 * transaction as the events (through the command context's `inTransaction` hook, see command-context.ts),
 * so two simultaneous requests with one key cannot both write: the second one's transaction fails on the
 * key and it replays the first one's answer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.caller) return next.handle();
    if (typeof key !== 'string' || key.length < 1 || key.length > 200) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'Idempotency-Key must be 1..200 characters' });
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const caller = request.caller.id;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const statusCode = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const replay = (stored: StoredResponse) => {
      if (stored.request_hash !== requestHash) {
        throw new UnprocessableEntityException({
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'This Idempotency-Key was used with a different request',
        });
      }
      void reply.status(stored.status_code).header('Idempotent-Replayed', 'true');
      return stored.response;
    };

    return from(this.find(caller, key)).pipe(
      switchMap((stored) => {
        if (stored) return of(replay(stored));
        request.idempotency = { caller, key, requestHash, statusCode };
        return next.handle().pipe(
          catchError((error: unknown) =>
            error instanceof IdempotencyRaceError
              ? from(this.find(caller, key)).pipe(switchMap((s) => (s ? of(replay(s)) : throwError(() => error))))
              : throwError(() => error),
          ),
        );
      }),
    );
  }

  private async find(caller: string, key: string): Promise<StoredResponse | undefined> {
    const { rows } = await this.pool.query<StoredResponse>(
      `SELECT request_hash, status_code, response FROM idempotency_keys
       WHERE caller = $1 AND key = $2 AND created_at > now() - interval '${IDEMPOTENCY_RETENTION}'`,
      [caller, key],
    );
    return rows[0];
  }
}
