import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { isStorableText } from './storable-text.js';

/** The contract's JSON nesting limit (Conventions, input hygiene). */
export const MAX_JSON_DEPTH = 32;

/**
 * Input hygiene in one place, before any guard, pipe or handler runs (shared/spec/api.md, Conventions):
 * - JSON deeper than MAX_JSON_DEPTH is refused before it is parsed into objects. class-transformer and
 *   class-validator recurse, and ~3,000 levels overflowed their stack (a 500 after ~80 ms of blocked
 *   event loop); a linear scan of the text is far cheaper than either.
 * - A body must be a JSON object: `[]`, `null`, `1`, `"x"` and text/plain bodies are refused.
 * - No string anywhere (body values and keys, query, path parameters, headers) may hold NUL or an
 *   unpaired surrogate, which PostgreSQL cannot store and answered with a 500.
 * - `null` is refused in bodies, except in the few top-level fields the contract names a null for
 *   (NULLABLE_BODY_FIELDS).
 * All of these answer 400 VALIDATION_FAILED.
 */
export function registerRequestHygiene(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own parser keeps its protections (prototype and constructor poisoning refused), and the
  // server's bodyLimit (64 KiB) still applies. Registered through Nest, which otherwise adds its own.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: fastify.initialConfig.bodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(validationFailed('body', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parseJson(request, body as unknown as string, done);
  });
  fastify.addHook('preValidation', async (request: FastifyRequest) => {
    // Nest and Fastify also parse text/plain and form bodies; the contract takes JSON objects only.
    if (request.body !== undefined && (!isPlainObject(request.body) || !JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? ''))) {
      throw validationFailed('body', 'The body must be a JSON object');
    }
    const nullable = NULLABLE_BODY_FIELDS[`${request.method} ${request.routeOptions.url}`];
    const unfit =
      unfitIn(request.body, 'body', true, nullable) ?? unfitIn(request.query, 'query', false) ?? unfitIn(request.params, 'path', false) ?? unfitIn(request.headers, 'header', false);
    if (unfit) throw validationFailed(unfit.field, unfit.message);
  });
}

const JSON_CONTENT_TYPE = /^\s*application\/json\s*(;|$)/i;

/** Per route (`METHOD /route/:param`), the top-level body fields where the contract gives `null` a meaning. */
const NULLABLE_BODY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  // Clears the method's free-shipping threshold.
  'PATCH /shipping-methods/:id': ['freeOverCents'],
};

/**
 * Whether JSON text nests deeper than `max`: one pass over its bytes, counting brackets outside
 * strings. Brackets, quotes and backslashes are ASCII, and no byte of a multi-byte UTF-8 character is.
 */
export function jsonDepthExceeds(json: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, quotes included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

interface Unfit {
  field: string;
  message: string;
}

/** Where a value is unfit: the keys leading to it (collected only on the way back from a failure). */
interface Found {
  keys: string[];
  problem: string;
}

/** The first string (value or key) of `value` the database cannot store, or a null where none is allowed. */
function unfitIn(value: unknown, root: string, refuseNull: boolean, nullable?: readonly string[]): Unfit | undefined {
  let found: Found | undefined;
  if (nullable && isPlainObject(value)) {
    // Only the named top-level fields may be null; everything else is scanned as usual.
    for (const key in value as object) {
      if (!Object.hasOwn(value as object, key)) continue;
      const field = (value as Record<string, unknown>)[key];
      found = field === null && nullable.includes(key) ? undefined : findUnfit({ [key]: field }, refuseNull);
      if (found) break;
    }
  } else {
    found = findUnfit(value, refuseNull);
  }
  if (!found) return undefined;
  const field = root + found.keys.join('');
  return { field, message: `${field} ${found.problem}` };
}

/**
 * Runs on every request over body, query, params and headers, so the happy path allocates nothing: no
 * entry arrays, no path strings (they are built only for the one unfit value, on the way back).
 */
function findUnfit(value: unknown, refuseNull: boolean): Found | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : { keys: [], problem: 'must not contain NUL or unpaired surrogates' };
  if (value === null) return refuseNull ? { keys: [], problem: 'must not be null' } : undefined;
  if (typeof value !== 'object') return undefined;
  const isArray = Array.isArray(value);
  // Depth is bounded: bodies by the JSON depth limit, query and headers are flat.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!isStorableText(key)) return { keys: [], problem: 'has a key with NUL or unpaired surrogates' };
    const found = findUnfit((value as Record<string, unknown>)[key], refuseNull);
    if (found) {
      found.keys.unshift(isArray ? `[${key}]` : `.${key}`);
      return found;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validationFailed(field: string, message: string): BadRequestException {
  return new BadRequestException({ code: 'VALIDATION_FAILED', message, details: [{ field: field.replace(/^body\./, ''), message }] });
}
