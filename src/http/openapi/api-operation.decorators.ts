import { applyDecorators, UseGuards, type Type } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiExtraModels, ApiHeaders, ApiOperation, ApiResponse, ApiSecurity, getSchemaPath, type ApiBodyOptions } from '@nestjs/swagger';
import { IdempotencyGuard } from '../idempotency.guard.js';
import { ApiErrorAnswers } from './api-errors.decorator.js';
import { ERROR_STATUS, type ErrorCode } from './error-codes.js';
import { EVERY_ANSWER_HEADERS, PRIVATE_ANSWER_HEADERS, READ_MODEL_HEADERS, REPLAY_HEADERS, REQUEST_HEADERS } from './headers.js';

/** The security schemes `buildOpenApiDocument` declares. */
export const CUSTOMER_TOKEN = 'customerToken';
export const ADMIN_TOKEN = 'adminToken';

/**
 * Who may call an operation: `public` (anyone; a token, if sent, must be valid), `customer` (a token with
 * the customer role), `owner` (the customer who owns the resource, or an admin), `admin`.
 */
export type Access = 'public' | 'customer' | 'owner' | 'admin';

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  access: Access;
  /** The operation's own error codes; the ones every operation of its kind shares are added. */
  errors?: ErrorCode[];
  /**
   * A module's own conflict codes (the `ConflictError`s its decider throws), answered as 409 like every
   * conflict: a module declares them here instead of in ERROR_STATUS, so it edits nothing outside its folder.
   */
  conflicts?: readonly string[];
}

interface CommandSpec extends OperationSpec {
  status: 200 | 201 | 202;
  type: Type<unknown>;
  /** The request body; omit for a command that takes none. */
  body?: ApiBodyOptions;
  /** A whole example of the answer. */
  example?: object;
}

interface ReadSpec extends OperationSpec {
  type: Type<unknown>;
  /** The answer is an array of `type`... */
  isArray?: boolean;
  /** ...of at most this many items. */
  maxItems?: number;
  /** Reads read models, so it answers `X-Projection-Position` and honours `X-Min-Position`. */
  readModels: boolean;
}

const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  customer: [{ [CUSTOMER_TOKEN]: [] }],
  owner: [{ [CUSTOMER_TOKEN]: [] }, { [ADMIN_TOKEN]: [] }],
  admin: [{ [ADMIN_TOKEN]: [] }],
};
const ROLES: Record<Access, string[]> = { public: [], customer: ['customer'], owner: ['customer', 'admin'], admin: ['admin'] };
const WHO: Record<Access, string> = { public: 'Public.', customer: 'Customers.', owner: 'The owner, or an admin.', admin: 'Admin only.' };

/** Every operation: summary, id, who may call it, and what any request may answer. */
function operation(spec: OperationSpec, errors: ErrorCode[]) {
  // A public route still checks a token if one is sent (401), but never a role.
  const identity: ErrorCode[] = spec.access === 'public' ? ['UNAUTHENTICATED'] : ['UNAUTHENTICATED', 'FORBIDDEN'];
  return [
    ApiOperation({ operationId: spec.operationId, summary: spec.summary, description: [WHO[spec.access], spec.description].filter(Boolean).join(' ') }),
    // Public operations get an explicit `security: []` in buildOpenApiDocument, from their empty roles.
    ...SECURITY[spec.access].map((requirement) => ApiSecurity(requirement)),
    ApiExtension('x-required-roles', ROLES[spec.access]),
    ApiHeaders([REQUEST_HEADERS.requestId]),
    // The operation's own codes first: each status's example shows the first of its codes.
    ApiErrorAnswers([
      ...(spec.errors ?? []).map(withStatus),
      ...(spec.conflicts ?? []).map((code) => [code, 409] as const),
      ...(['VALIDATION_FAILED', ...identity, ...errors, 'RATE_LIMITED', 'UNAVAILABLE'] as ErrorCode[]).map(withStatus),
    ]),
  ];
}

const withStatus = (code: ErrorCode) => [code, ERROR_STATUS[code]] as const;

/** A body-carrying request can also fail on its body before any handler runs. */
const BODY_ERRORS: ErrorCode[] = ['MALFORMED_JSON', 'MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/**
 * A command: its body, the command headers (`If-Match`, and `Idempotency-Key` on a POST), the command
 * result, and the errors of the command path (version conflicts, idempotency reuse, body errors).
 * A POST also gets the idempotency guard here, where its header is documented: it is attached only to
 * the routes that take the header rather than globally (it runs after the global guards, so after the
 * caller is known).
 */
export function ApiCommand(spec: CommandSpec & { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' }): MethodDecorator {
  const isPost = spec.method === 'POST';
  return applyDecorators(
    // NOT_FOUND too: `If-Match` names a version of an aggregate, and one that does not exist (yet) is a 404.
    ...operation(spec, [...BODY_ERRORS, 'NOT_FOUND', 'CONCURRENCY_CONFLICT', 'WRONG_EXPECTED_VERSION', ...(isPost ? (['IDEMPOTENCY_KEY_REUSED'] as const) : [])]),
    ...(isPost ? [UseGuards(IdempotencyGuard)] : []),
    ApiHeaders([REQUEST_HEADERS.ifMatch, ...(isPost ? [REQUEST_HEADERS.idempotencyKey] : [])]),
    ...(spec.body ? [ApiBody(spec.body)] : []),
    ApiResponse({
      status: spec.status,
      type: spec.type,
      description: 'Done: the aggregate, its version after the command and the log position of its last event',
      headers: { ...EVERY_ANSWER_HEADERS, ...(isPost ? REPLAY_HEADERS : {}) },
      ...(spec.example && { example: spec.example }),
    }),
  );
}

/**
 * A POST that is not a command (no version, no idempotency record), such as starting a rebuild. It
 * still gets the idempotency guard, which refuses a malformed `Idempotency-Key` on any POST.
 */
export function ApiAction(spec: CommandSpec): MethodDecorator {
  return applyDecorators(
    ...operation(spec, BODY_ERRORS),
    UseGuards(IdempotencyGuard),
    ...(spec.body ? [ApiBody(spec.body)] : []),
    ApiResponse({ status: spec.status, type: spec.type, description: 'Accepted', headers: EVERY_ANSWER_HEADERS }),
  );
}

/** A GET: its answer, and read-your-writes headers when it reads read models. */
export function ApiRead(spec: ReadSpec): MethodDecorator {
  const isPrivate = spec.access !== 'public';
  return applyDecorators(
    ...operation(spec, spec.readModels ? ['PROJECTION_LAGGING'] : []),
    ...(spec.readModels ? [ApiHeaders([REQUEST_HEADERS.minPosition])] : []),
    ApiExtraModels(spec.type),
    ApiResponse({
      status: 200,
      ...(spec.maxItems === undefined
        ? { type: spec.type, isArray: spec.isArray }
        : { schema: { type: 'array', items: { $ref: getSchemaPath(spec.type) }, maxItems: spec.maxItems } }),
      description: 'OK',
      headers: { ...EVERY_ANSWER_HEADERS, ...(spec.readModels ? READ_MODEL_HEADERS : {}), ...(isPrivate ? PRIVATE_ANSWER_HEADERS : {}) },
    }),
  );
}
