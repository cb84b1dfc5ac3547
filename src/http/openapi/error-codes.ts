/**
 * Every stable error code the service answers with, and its status (shared/spec/api.md, Conventions).
 * `ApiErrors` groups an operation's codes by this table, so a code is documented under the status the
 * error filter really gives it.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONCURRENCY_CONFLICT: 409,
  SKU_TAKEN: 409,
  INSUFFICIENT_STOCK: 409,
  CART_CHECKED_OUT: 409,
  CART_EMPTY: 409,
  CART_FULL: 409,
  LINE_QUANTITY_EXCEEDED: 409,
  ORDER_NOT_PAYABLE: 409,
  PAYMENT_AMOUNT_MISMATCH: 409,
  ORDER_NOT_SHIPPABLE: 409,
  ORDER_NOT_DELIVERABLE: 409,
  ORDER_NOT_CANCELLABLE: 409,
  PROJECTION_REBUILDING: 409,
  CODE_TAKEN: 409,
  SHIPPING_METHOD_NOT_AVAILABLE: 409,
  DISCOUNT_NOT_APPLICABLE: 409,
  SHIPPING_METHODS_FULL: 409,
  WRONG_EXPECTED_VERSION: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  PROJECTION_LAGGING: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** What each status means to a client, as the response's description. */
export const STATUS_DESCRIPTION: Record<number, string> = {
  400: 'Malformed JSON, a validation failure, an unknown property or a bad query parameter or header',
  401: 'No token, or a bad one',
  403: 'The token lacks the role this operation needs',
  404: 'No such resource, or not the caller\'s (its existence is not revealed)',
  409: 'The current state forbids the command; nothing was written',
  412: '`If-Match` did not match the aggregate\'s version; nothing was written',
  413: 'The body is over 64 KiB',
  415: 'The body is not `application/json`',
  422: 'This `Idempotency-Key` was used with another request',
  429: 'Rate limit exceeded; retry after `Retry-After` seconds',
  503: 'The database is unavailable, or the read model has not caught up with `X-Min-Position`; retry after `Retry-After` seconds',
};
