import type { ApiHeaderOptions, HeaderObject } from '@nestjs/swagger';

type Headers = Record<string, HeaderObject>;

const POSITION_PATTERN = '^[0-9]{1,19}$';

/** Request headers (shared/spec/api.md, Conventions), as operation parameters. */
export const REQUEST_HEADERS = {
  requestId: {
    name: 'X-Request-Id',
    required: false,
    description: "Correlates the request's log lines and, on a command, becomes its events' `correlationId`",
    schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7E]+$' },
  },
  ifMatch: {
    name: 'If-Match',
    required: false,
    description: 'Makes the command conditional: `412 WRONG_EXPECTED_VERSION` unless the aggregate is at this version',
    schema: { type: 'string', maxLength: 16, pattern: '^\\s*(W/)?"?[0-9]{1,9}"?\\s*$' },
    example: '"3"',
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat with the same key, caller and body within 24 h returns the first answer and writes nothing; another body answers `422 IDEMPOTENCY_KEY_REUSED`',
    schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7E]+$' },
    example: 'checkout-7f3a',
  },
  minPosition: {
    name: 'X-Min-Position',
    required: false,
    description: 'Wait (up to 5 s) until the read models have applied this log position, else `503 PROJECTION_LAGGING`',
    schema: { type: 'string', maxLength: 19, pattern: POSITION_PATTERN },
    example: '42',
  },
} satisfies Record<string, ApiHeaderOptions>;

const integerHeader = (description: string, required = false): HeaderObject => ({
  description,
  required,
  schema: { type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
});

/**
 * The response headers, declared once under `components.headers`; responses refer to them. Only the
 * ones every matching answer carries are required: rate limiting can be turned off
 * (`RATE_LIMIT_PER_MINUTE=0`) and CORS headers only answer allowed origins.
 */
export const RESPONSE_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': integerHeader("Requests per window in the caller's budget"),
  'RateLimit-Remaining': integerHeader("Requests left in the caller's budget"),
  'RateLimit-Reset': integerHeader('Seconds until the budget is refilled'),
  'X-Content-Type-Options': { description: 'Browsers must not sniff the content type', required: true, schema: { type: 'string', enum: ['nosniff'] } },
  'X-Request-Id': {
    description: "The request's id: the client's `X-Request-Id` when it matches `[A-Za-z0-9._-]{1,64}`, else one the service made; also the `correlationId` of the events a command appends",
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' },
  },
  'Access-Control-Allow-Origin': {
    description: 'The calling origin, when it is one of `CORS_ORIGINS`',
    required: false,
    schema: { type: 'string', maxLength: 2048, pattern: '^\\S+$' },
  },
  'Cache-Control': { description: "One customer's data: never cached", required: false, schema: { type: 'string', maxLength: 100, pattern: 'no-store' } },
  'X-Projection-Position': {
    description: 'The log position the read models this answer comes from have applied (at least)',
    required: true,
    schema: { type: 'string', maxLength: 19, pattern: POSITION_PATTERN },
  },
  'Idempotent-Replayed': {
    description: 'Present when this is the stored answer to an earlier request with the same `Idempotency-Key`',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': integerHeader('Seconds to wait before retrying', true),
};

type HeaderName = keyof typeof RESPONSE_HEADERS & string;
const refs = (...names: HeaderName[]): Headers =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` } as unknown as HeaderObject]));

export const EVERY_ANSWER_HEADERS = refs('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Content-Type-Options', 'X-Request-Id', 'Access-Control-Allow-Origin');
/** Answers showing one customer's data are never cached. */
export const PRIVATE_ANSWER_HEADERS = refs('Cache-Control');
export const READ_MODEL_HEADERS = refs('X-Projection-Position');
export const REPLAY_HEADERS = refs('Idempotent-Replayed');
export const RETRY_AFTER_HEADERS = refs('Retry-After');
