import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../database/connection-loss.js';
import { ConflictError, DomainError } from '../event-store/errors.js';
import { IdempotentReplay } from './idempotency-record.js';
import { ERROR_STATUS } from './openapi/error-codes.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown[];
}

/** Codes for errors that arrive without one of ours (framework, Fastify, validation). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'WRONG_EXPECTED_VERSION',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
};

/**
 * The one place errors become HTTP answers, in the contract's shape: `{statusCode, code, message, details?}`.
 * Anything unrecognised is a 500 with no internals leaked, and is logged. One exception is not an error:
 * an IdempotentReplay carries a request's first answer, sent again as it was.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof IdempotentReplay) {
      void reply.status(exception.statusCode).header('Idempotent-Replayed', 'true').send(exception.response);
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && body.code !== 'UNAVAILABLE' && body.code !== 'PROJECTION_LAGGING') {
      // The request's id by hand: log lines carry no request context by themselves (see RequestLog).
      const id = host.switchToHttp().getRequest<FastifyRequest>().id;
      this.logger.error(`request ${id}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    }
    if (body.statusCode === 503) void reply.header('Retry-After', '1');
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return withDetails({ statusCode: domainStatus(exception), code: exception.code, message: exception.message }, exception.details);
    }
    if (exception instanceof ThrottlerException) {
      return { statusCode: 429, code: 'RATE_LIMITED', message: 'Too many requests; slow down' };
    }
    const fastifyCode = fastifyErrorCode(exception);
    if (fastifyCode) {
      const e = (exception instanceof HttpException ? exception.cause : exception) as { statusCode?: number; message?: string };
      return { statusCode: e.statusCode ?? 400, code: fastifyCode, message: e.message ?? 'Bad request' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        const r = response as Partial<ErrorBody>;
        return withDetails({ statusCode: status, code: String(r.code), message: String(r.message ?? exception.message) }, r.details);
      }
      const message = typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : exception.message;
      return {
        statusCode: status,
        code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'),
        message: Array.isArray(message) ? message.join('; ') : String(message),
      };
    }
    const e = exception as { statusCode?: number; message?: string };
    // The database is down, restarting, or every pooled connection stayed busy past the acquire timeout.
    if (isConnectionError(exception)) {
      return { statusCode: 503, code: 'UNAVAILABLE', message: 'The database is unavailable; retry shortly' };
    }
    if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return { statusCode: e.statusCode, code: CODE_BY_STATUS[e.statusCode] ?? 'BAD_REQUEST', message: e.message ?? 'Bad request' };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'Internal server error' };
  }
}

/**
 * A domain error's status, from the same code table the OpenAPI document is built from, so the document
 * and the answers cannot disagree. A module's own conflict code that the table does not list yet is
 * still a 409; any other unlisted code is a bug, answered as a 500 and logged.
 */
export function domainStatus(error: DomainError): number {
  if (Object.hasOwn(ERROR_STATUS, error.code)) return ERROR_STATUS[error.code as keyof typeof ERROR_STATUS];
  return error instanceof ConflictError ? 409 : 500;
}

/** Our code for a Fastify request error, which Nest may have wrapped in an HttpException. */
function fastifyErrorCode(exception: unknown): string | undefined {
  const error = (exception instanceof HttpException ? exception.cause : exception) as { code?: unknown } | undefined;
  return typeof error?.code === 'string' ? FASTIFY_CODES[error.code] : undefined;
}

function withDetails(body: ErrorBody, details: unknown[] | undefined): ErrorBody {
  return details && details.length ? { ...body, details } : body;
}
