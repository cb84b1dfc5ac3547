import { describe, expect, it } from 'vitest';
import { validateResponse, type OpenApiDocument } from '../support/openapi-validator.js';

/** A small document in the served document's shape: a shared error schema narrowed per response, header refs. */
const document: OpenApiDocument = {
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        responses: {
          '200': {
            headers: { 'X-Projection-Position': { $ref: '#/components/headers/X-Projection-Position' } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '404': {
            headers: { 'Retry-After': { required: false, schema: { type: 'integer', minimum: 0 } } },
            content: {
              'application/json': {
                schema: { allOf: [{ $ref: '#/components/schemas/ErrorDto' }, { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: ['NOT_FOUND'] } } }] },
              },
            },
          },
        },
      },
    },
    '/things/special': { get: { operationId: 'getSpecial', responses: { '200': { content: { 'text/plain': { schema: { type: 'string' } } } } } } },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'priceCents', 'next'],
        properties: { id: { type: 'string', format: 'uuid' }, priceCents: { type: 'integer', format: 'int64' }, next: { type: 'string', nullable: true } },
      },
      ErrorDto: {
        type: 'object',
        required: ['statusCode', 'code', 'message'],
        properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object' } } },
      },
    },
    headers: { 'X-Projection-Position': { required: true, schema: { type: 'string', pattern: '^[0-9]+$' } } },
  },
};

const json = { 'content-type': 'application/json; charset=utf-8' };
const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const thing = { id, priceCents: 1299, next: null };

describe('validateResponse', () => {
  it('accepts a documented answer, with nullable fields and header refs', () => {
    expect(validateResponse(document, 'GET', `/things/${id}?x=1`, 200, { ...json, 'x-projection-position': '42' }, thing)).toEqual([]);
  });

  it('refuses an undocumented status, naming the operation', () => {
    expect(validateResponse(document, 'GET', `/things/${id}`, 409, json, {})).toEqual([`GET /things/{id} -> 409: status 409 is not documented for getThing`]);
  });

  it('refuses a field the document does not name, a wrong type, and a code outside the route enum', () => {
    const headers = { ...json, 'x-projection-position': '1' };
    expect(validateResponse(document, 'get', `/things/${id}`, 200, headers, { ...thing, secret: 'x' }).join()).toContain('must NOT have additional properties');
    expect(validateResponse(document, 'get', `/things/${id}`, 200, headers, { ...thing, priceCents: 12.5 }).join()).toContain('/priceCents: must be integer');
    const wrongCode = validateResponse(document, 'GET', `/things/${id}`, 404, json, { statusCode: 404, code: 'GONE', message: 'm' });
    expect(wrongCode.join()).toContain('allowed values');
  });

  it('checks headers: a required one missing, a documented one malformed', () => {
    expect(validateResponse(document, 'GET', `/things/${id}`, 200, json, thing)).toEqual(['GET /things/{id} -> 200: required header X-Projection-Position is missing']);
    const notFound = { statusCode: 404, code: 'NOT_FOUND', message: 'm' };
    expect(validateResponse(document, 'GET', `/things/${id}`, 404, { ...json, 'retry-after': '1' }, notFound)).toEqual([]);
    expect(validateResponse(document, 'GET', `/things/${id}`, 404, { ...json, 'retry-after': 'soon' }, notFound)).toHaveLength(1);
  });

  it('matches literal paths before templated ones, and checks the content type', () => {
    expect(validateResponse(document, 'GET', '/things/special', 200, { 'content-type': 'text/plain' }, 'hello')).toEqual([]);
    expect(validateResponse(document, 'GET', '/things/special', 200, json, {})).toEqual(['GET /things/special -> 200: content type "application/json" is not documented']);
  });

  it('accepts an unknown route only as the contract 404 error', () => {
    expect(validateResponse(document, 'GET', '/nowhere', 404, json, { statusCode: 404, code: 'NOT_FOUND', message: 'Not found' })).toEqual([]);
    expect(validateResponse(document, 'DELETE', `/things/${id}`, 200, json, {})).toEqual([`DELETE /things/{id} -> 200: no such operation in the document`]);
  });
});
