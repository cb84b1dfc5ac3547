import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { validateResponse } from '../support/openapi-validator.js';
import { logSize } from './log-size.js';
import { deepJson, hostileString, SchemaArbitraries, type OpenApiDocument, type Operation, type Parameter } from './openapi-arbitraries.js';

/**
 * Property-based requests for every operation of the served OpenAPI document, against the real
 * service: valid, boundary and hostile values, deep nesting, odd unicode, wrong types, nulls, extra
 * properties, odd bodies and callers. It asserts what no input may ever cause: a 5xx, an answer the
 * document does not describe (status, body, headers), or a write by a request that was refused (4xx). `npm run fuzz` runs it longer (FUZZ_RUNS per operation, FUZZ_SEED).
 */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 24);
/** A fixed seed keeps `npm test` deterministic; `npm run fuzz` draws a new one each run (printed on failure). */
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261130);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface Callers {
  admin: string;
  owner: string;
  stranger: string;
  roleless: string;
}

interface Fixture {
  productId: string;
  cartIds: string[];
  orderIds: string[];
  projections: string[];
}

describe('fuzzing every operation of the OpenAPI document', () => {
  const t = useTestApp({ LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent' });
  let document: OpenApiDocument;
  let valid: SchemaArbitraries;
  let hostile: SchemaArbitraries;
  let callers: Callers;
  let fixture: Fixture;

  beforeAll(async () => {
    const s = t.shop;
    callers = { admin: s.admin, owner: t.token('fuzz-owner'), stranger: t.token('fuzz-stranger'), roleless: t.token('fuzz-nobody', []) };
    const orders = [await s.order(callers.owner), await s.order(callers.owner)];
    const cartIds = [await s.cart(callers.owner), await s.cart(callers.owner)];
    for (const cartId of cartIds) await s.add(callers.owner, cartId, orders[0].productId, 1);
    const projections = (await t.http().get('/admin/projections').set('Authorization', s.admin).expect(200)).body.map((p: { name: string }) => p.name);
    fixture = { productId: orders[0].productId, cartIds, orderIds: orders.map((o) => o.orderId), projections };
    document = (await t.http().get('/docs-json').expect(200)).body;
    valid = new SchemaArbitraries(document, false);
    hostile = new SchemaArbitraries(document, true);
  });

  /** Ids that exist, of the kind the path names, so some requests get past the 404s; others are random or hostile. */
  function pathValue(path: string, name: string, isHostile: boolean): fc.Arbitrary<string> {
    const { productId, cartIds, orderIds, projections } = fixture;
    const known =
      name === 'name'
        ? projections
        : name === 'productId' || path.startsWith('/products')
          ? [productId]
          : path.startsWith('/carts')
            ? cartIds
            : path.startsWith('/orders')
              ? orderIds
              : [productId, ...cartIds, ...orderIds];
    if (!isHostile) return fc.constantFrom(...known);
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...known) },
      { weight: 1, arbitrary: fc.constantFrom(productId, ...cartIds, ...orderIds) }, // ids of another kind
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: hostileString.map(encodePathSegment) },
      { weight: 1, arbitrary: fc.constantFrom('%00', '%ED%A0%80', '%FF', '..', '%2F', 'a'.repeat(300), known[0].toUpperCase()) },
    );
  }

  /** Half the requests are valid (so they reach the handlers), half carry hostile values anywhere. */
  function requestFor(path: string, method: string, operation: Operation): fc.Arbitrary<InjectOptions> {
    return fc.oneof(requestWith(valid, path, method, operation), requestWith(hostile, path, method, operation));
  }

  function requestWith(values: SchemaArbitraries, path: string, method: string, operation: Operation): fc.Arbitrary<InjectOptions> {
    const isHostile = values === hostile;
    const parameters = operation.parameters ?? [];
    const pathParameters = parameters.filter((p) => p.in === 'path');
    const queryParameters = parameters.filter((p) => p.in === 'query');
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    const body = bodySchema === undefined ? undefined : values.value(bodySchema);
    return fc
      .record({
        path: fc.record(Object.fromEntries(pathParameters.map((p) => [p.name, pathValue(path, p.name, isHostile)]))),
        query: queryArbitrary(values, queryParameters, isHostile),
        body: isHostile ? hostileBody(body) : body ? body.map(json) : fc.constant(undefined),
        caller: isHostile
          ? fc.constantFrom<keyof Callers | 'none' | 'garbage'>('admin', 'owner', 'stranger', 'roleless', 'none', 'garbage')
          : fc.constantFrom<keyof Callers>('admin', 'owner'),
        headers: isHostile ? extraHeaders : fc.constant({}),
      })
      .map(({ path: pathValues, query, body: payload, caller, headers }) => {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? 'x') + (query ? `?${query}` : '');
        const authorization = caller === 'none' ? undefined : caller === 'garbage' ? 'Bearer a.b.c' : callers[caller];
        return {
          method: method.toUpperCase() as InjectOptions['method'],
          url,
          headers: { ...headers, ...(authorization ? { authorization } : {}), ...(payload ? { 'content-type': payload.contentType } : {}) },
          ...(payload ? { payload: payload.payload } : {}),
        } as InjectOptions;
      });
  }

  function queryArbitrary(values: SchemaArbitraries, parameters: Parameter[], isHostile: boolean): fc.Arbitrary<string> {
    type Pairs = [string, string][];
    const none = { nil: [] as Pairs };
    const pairs = parameters.map((p) => {
      const one = values.value(p.schema).map((v): Pairs => [[p.name, typeof v === 'string' ? v : JSON.stringify(v)]]);
      const repeated = fc.array(hostileString, { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v): [string, string] => [p.name, v]));
      return fc.option(isHostile ? fc.oneof({ weight: 3, arbitrary: one }, { weight: 1, arbitrary: repeated }) : one, none);
    });
    const unknown = isHostile ? fc.option(fc.tuple(hostileString, hostileString).map(([k, v]): Pairs => [[k || 'k', v]]), none) : fc.constant([] as Pairs);
    return fc.tuple(fc.tuple(...pairs), unknown).map(([known, extra]) => new URLSearchParams([...known.flat(), ...extra]).toString());
  }

  function hostileBody(value: fc.Arbitrary<unknown> | undefined): fc.Arbitrary<Payload | undefined> {
    return fc.oneof(
      { weight: 6, arbitrary: (value ?? fc.constant(undefined)).map((v) => (v === undefined ? undefined : json(v))) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('[]', 'null', '1', '"x"', '{}', '{"a":', '{"__proto__":{"x":1}}', '\u0000').map((payload) => ({ contentType: 'application/json', payload })) },
      { weight: 1, arbitrary: deepJson.map(({ text }) => ({ contentType: 'application/json', payload: `{"a":${text}}` })) },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml').map((contentType) => ({ contentType, payload: 'a=1' })) },
    );
  }

  it('never answers 5xx, and a refused request never writes', { timeout: Math.max(60_000, RUNS_PER_OPERATION * 3_000) }, async () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        // A live stream (text/event-stream) never ends, so inject() would never answer: test/live/ covers them.
        .filter(([, operation]) => !(operation.responses?.['200'] as { content?: Record<string, unknown> } | undefined)?.content?.['text/event-stream'])
        .map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const seen = new Map<string, Set<number>>();
    const undocumented = new Set<string>();
    const fastify = t.app.getHttpAdapter().getInstance();
    for (const { path, method, operation } of operations) {
      const key = `${method.toUpperCase()} ${path}`;
      seen.set(key, new Set());
      await fc.assert(
        fc.asyncProperty(requestFor(path, method, operation), async (request) => {
          const before = await logSize(t);
          const res = await fastify.inject(request);
          seen.get(key)!.add(res.statusCode);
          const isJson = String(res.headers['content-type'] ?? '').includes('json');
          const problems = validateResponse(t.document, request.method as string, String(request.url), res.statusCode, headersOf(res.headers), isJson ? res.json() : res.body);
          if (problems.length > 0) undocumented.add(`${key} ${res.statusCode}`);
          expect(problems, `${request.method} ${request.url}: the answer must be the documented one`).toEqual([]);
          expect(res.statusCode, `${request.method} ${request.url} answered ${res.body.slice(0, 300)}`).toBeLessThan(500);
          expect(res.headers['x-content-type-options']).toBe('nosniff');
          if (res.statusCode >= 400) {
            expect(JSON.parse(res.body)).toMatchObject({ statusCode: res.statusCode, code: expect.any(String), message: expect.any(String) });
            expect(await logSize(t), `${request.method} ${request.url} answered ${res.statusCode} but wrote`).toBe(before);
          }
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true },
      );
    }
    // Some requests must have got through, or the fuzzer only knocked on the door.
    const succeeded = [...seen].filter(([, statuses]) => [...statuses].some((s) => s < 300)).map(([key]) => key);
    if (process.env.FUZZ_REPORT) {
      const statuses = Object.fromEntries([...seen].map(([k, v]) => [k, [...v].sort()]));
      process.stdout.write(`seed ${SEED}, ${RUNS_PER_OPERATION} runs per operation; statuses seen: ${JSON.stringify(statuses, null, 1)}\n`);
      process.stdout.write(`undocumented statuses: ${JSON.stringify([...undocumented].sort(), null, 1)}\n`);
    }
    expect(succeeded.length).toBeGreaterThan(operations.length / 2);
  });
});

interface Payload {
  contentType: string;
  payload: string;
}

function json(value: unknown): Payload {
  return { contentType: 'application/json', payload: JSON.stringify(value) ?? 'null' };
}

/** Percent-encodes a path segment; a lone surrogate, which encodeURIComponent refuses, as its raw UTF-8-like bytes. */
function encodePathSegment(text: string): string {
  try {
    return encodeURIComponent(text) || 'x';
  } catch {
    return Buffer.from(text).toString('hex').replace(/(..)/g, '%$1');
  }
}

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('k'.repeat(201))),
    'if-match': fc.oneof(fc.constantFrom('"1"', '"2"', 'W/"1"', '*', '"99999999999"', '-1'), fc.string({ maxLength: 10 })),
    'x-min-position': fc.constantFrom('0', '1', '-1', 'abc', '99999999999999999999'),
    'x-request-id': fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
).map((headers) => Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v))));

/** Header values as the validator reads them (light-my-request may give a number, e.g. content-length). */
function headersOf(headers: Record<string, string | string[] | number | undefined>): Record<string, string | string[] | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === 'number' ? String(value) : value]));
}
