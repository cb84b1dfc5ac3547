import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks an HTTP answer against the service's OpenAPI document: the status must be documented for the
 * operation, the body must match that response's schema, and every documented header must be present
 * when required and match its schema when sent. Shared by the e2e client (every response of every test)
 * and the fuzz test.
 *
 * Answers are held to a stricter reading than OpenAPI's: an object schema that lists its properties is
 * closed, so a field the service sends but the document does not name fails too.
 */

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json>; headers?: Record<string, Header> };
}

interface Header {
  $ref?: string;
  required?: boolean;
  schema?: Json;
}

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, { schema?: Json }>; headers?: Record<string, Header> }>;
}

interface Route {
  template: string;
  pattern: RegExp;
  /** Literal segments win over parameters: `/a/b` before `/a/{id}`. */
  literals: number;
}

interface Compiled {
  ajv: Ajv;
  routes: Route[];
  validators: Map<string, ValidateFunction>;
}

const ROOT = 'openapi';
// ajv-formats is CommonJS: its function is the default export or the module itself, by loader.
const addFormats = ((m: { default?: unknown }) => m.default ?? m)(addFormatsModule as { default?: unknown }) as typeof addFormatsModule.default;
const compiledDocuments = new WeakMap<OpenApiDocument, Compiled>();

/** Problems with one answer, each a sentence; empty when the answer is documented and matches. */
export function validateResponse(
  document: OpenApiDocument,
  method: string,
  path: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): string[] {
  const compiled = compile(document);
  const pathname = path.split('?')[0];
  const route = compiled.routes.find((r) => r.pattern.test(pathname));
  const operation = route ? document.paths[route.template][method.toLowerCase()] : undefined;
  const where = `${method.toUpperCase()} ${route?.template ?? pathname} -> ${status}`;
  // A CORS preflight is the browser's protocol, answered for every route when CORS_ORIGINS is set
  // (README): an empty 204, not an operation of the API.
  if (method.toUpperCase() === 'OPTIONS' && status === 204 && (body === '' || body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0))) return [];
  if (!route || !operation) {
    // Unknown routes and methods answer the contract's 404 error, which no operation can document.
    if (status !== 404) return [`${where}: no such operation in the document`];
    return check(compiled, `${ROOT}#/components/schemas/ErrorDto`, { $ref: `${ROOT}#/components/schemas/ErrorDto` }, body, `${where} body`);
  }
  const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
  if (!response) return [`${where}: status ${status} is not documented for ${operation.operationId ?? 'this operation'}`];

  const problems: string[] = [];
  const contentType = String(headers['content-type'] ?? '').split(';')[0].trim();
  if (response.content) {
    const media = response.content[contentType];
    if (!media) problems.push(`${where}: content type "${contentType}" is not documented`);
    else if (media.schema) {
      const key = `${route.template} ${method} ${status} ${contentType}`;
      problems.push(...check(compiled, key, media.schema, body, `${where} body`));
    }
  }
  if (status >= 400 && isObject(body) && body.statusCode !== status) problems.push(`${where}: body statusCode ${String(body.statusCode)} differs`);

  for (const [name, declared] of Object.entries(response.headers ?? {})) {
    const header = declared.$ref ? (document.components?.headers?.[declared.$ref.split('/').pop()!] ?? {}) : declared;
    const raw = headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value === undefined) {
      if (header.required) problems.push(`${where}: required header ${name} is missing`);
      continue;
    }
    if (header.schema) {
      const key = `${route.template} ${method} ${status} header ${name}`;
      problems.push(...check(compiled, key, header.schema, coerceHeader(value, header.schema), `${where} header ${name}`));
    }
  }
  return problems;
}

function check(compiled: Compiled, key: string, schema: Json, value: unknown, what: string): string[] {
  let validate = compiled.validators.get(key);
  if (!validate) {
    validate = compiled.ajv.compile(toJsonSchema(schema, true));
    compiled.validators.set(key, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${what}${e.instancePath || ''}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Header values are text; a documented integer is checked as the number it spells. */
function coerceHeader(value: string, schema: Json): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

function compile(document: OpenApiDocument): Compiled {
  let compiled = compiledDocuments.get(document);
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // OpenAPI's integer formats, which JSON Schema does not define.
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  const schemas = Object.fromEntries(Object.entries(document.components?.schemas ?? {}).map(([name, s]) => [name, toJsonSchema(s, true)]));
  ajv.addSchema({ $id: ROOT, components: { schemas } });
  const routes = Object.keys(document.paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.literals - a.literals);
  compiled = { ajv, routes, validators: new Map() };
  compiledDocuments.set(document, compiled);
  return compiled;
}

/**
 * An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a `null` type, refs point into the document
 * added under ROOT, and listed properties close the object unless it is one part of an `allOf`.
 */
function toJsonSchema(schema: unknown, closable: boolean): Json {
  if (!isObject(schema)) return schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') out.$ref = String(value).replace(/^#/, `${ROOT}#`);
    else if (key === 'properties' && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, true)]));
    else if (key === 'allOf' && Array.isArray(value)) out.allOf = value.map((part) => toJsonSchema(part, false));
    else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) out[key] = value.map((part) => toJsonSchema(part, true));
    else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) out[key] = toJsonSchema(value, true);
    else if (key !== 'nullable' && key !== 'example' && key !== 'examples') out[key] = value;
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (out.$ref || out.allOf) return { anyOf: [{ type: 'null' }, out] };
  }
  if (closable && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
