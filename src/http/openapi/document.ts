import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ADMIN_TOKEN, CUSTOMER_TOKEN } from './api-operation.decorators.js';
import { RESPONSE_HEADERS } from './headers.js';
import { declaredModuleTags } from './module-tag.js';

const TOKEN_DESCRIPTION =
  'HS256 JWT (RFC 7519) signed with the service secret, handled as RFC8725 (JWT best current practices) asks: the algorithm is pinned, `exp` is required, ' +
  '`alg: none` and `crit` are refused. Claims: `sub` (the customer id), `roles`, `exp`.';

/** The OpenAPI document the service serves at `/docs-json`, built from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('eventshop')
    .setDescription(
      'Event-sourced e-commerce API: catalog, carts, orders, reports and the event log. Money is integer minor units of the ' +
        'store currency; commands answer the aggregate id, its version and the log position of their last event.',
    )
    .setVersion('2')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'The service that served this document (production, staging or local development alike)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A token with the \`customer\` role. ${TOKEN_DESCRIPTION}` }, CUSTOMER_TOKEN)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A token with the \`admin\` role. ${TOKEN_DESCRIPTION}` }, ADMIN_TOKEN)
    .addTag('catalog', 'Products, prices and stock')
    .addTag('carts', "A customer's carts and checkout")
    .addTag('orders', 'Orders, their payment, shipping and history')
    .addTag('reports', 'Sales figures (admin)')
    .addTag('shipping', 'Shipping methods and tax rates')
    .addTag('discounts', 'Discount codes (admin)')
    .addTag('admin', 'The event log and the projections (admin)')
    .addTag('platform', 'Health and metrics');
  for (const [name, description] of declaredModuleTags()) config.addTag(name, description);
  const built = config.build();
  const document = SwaggerModule.createDocument(app, built);
  document.components = { ...document.components, headers: RESPONSE_HEADERS };
  document.info.contact = { name: 'eventshop maintainers' };
  for (const server of document.servers ?? []) Object.assign(server, { 'x-internal': false });
  markPublicOperations(document);
  closeRequestBodies(document);
  return document;
}

/** Public operations say so explicitly (`security: []`), rather than by omission. */
function markPublicOperations(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Array<Record<string, unknown>>) {
      const roles = operation['x-required-roles'];
      if (Array.isArray(roles) && roles.length === 0) operation.security = [];
    }
  }
}

/**
 * The validation pipe rejects unknown properties of every body (`forbidNonWhitelisted`), so every schema a
 * request body reaches is closed: `additionalProperties: false`, derived here once rather than per DTO.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<string>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.split('/').pop()!;
      if (seen.has(name)) return;
      seen.add(name);
      close(schemas[name]);
      return;
    }
    if (schema.type === 'object' || schema.properties) {
      schema.additionalProperties = false;
      for (const property of Object.values(schema.properties ?? {})) close(property);
    }
    close(schema.items);
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) close(part);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Array<{ requestBody?: { content?: Record<string, { schema?: SchemaObject }> } }>) {
      for (const media of Object.values(operation.requestBody?.content ?? {})) close(media.schema);
    }
  }
}
