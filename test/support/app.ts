import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JwtService } from '@nestjs/jwt';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import type { AppOptions } from '../../src/app.module.js';
import { createApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { buildOpenApiDocument } from '../../src/http/openapi/document.js';
import { createTestDatabase } from './database.js';
import { validateResponse, type OpenApiDocument } from './openapi-validator.js';
import { shop, type Shop } from './shop.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly databaseUrl: string;
  /** The OpenAPI document the app serves at /docs-json. */
  readonly document: OpenApiDocument;
  /** A supertest client on the app; every answer it gets must be documented (see `documentedAnswers`). */
  http(): ReturnType<typeof request>;
  /** A bearer header value for a caller. */
  token(sub: string, roles?: string[], extra?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** The real application, on its own fresh database, as a client would meet it (`options.clock`: a ManualClock for timers). */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  // Pass DATABASE_URL to run a second instance on another app's database.
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '30',
    // pg's default, not the service's 5 min: the test files share one PostgreSQL (max_connections=300),
    // and an app that kept every connection it opened for its whole file could use up the server's slots.
    DATABASE_POOL_IDLE_TIMEOUT_MS: '10000',
    // In this process: tests drive time through a ManualClock a worker thread cannot share, and the
    // worker's script is built JavaScript (test/projections/worker-mode.test.ts runs dist/ for that mode).
    PROJECTIONS: 'inline',
    ...env,
  });
  const app = await createApp(config, options);
  await app.getHttpAdapter().getInstance().ready();
  // Built as /docs-json serves it, without a request that would show in metrics and rate limits.
  const document = JSON.parse(JSON.stringify(buildOpenApiDocument(app))) as OpenApiDocument;
  return {
    app,
    databaseUrl,
    document,
    http: () => documentedAnswers(request(app.getHttpServer()), document),
    token: testToken,
    close: () => app.close(),
  };
}

const jwt = new JwtService({ secret: TEST_JWT_SECRET });

/** A bearer header value any test app accepts (they all share TEST_JWT_SECRET). */
export function testToken(sub: string, roles = ['customer'], extra: Record<string, unknown> = {}): string {
  return `Bearer ${jwt.sign({ sub, roles, ...extra }, { algorithm: 'HS256', expiresIn: '1h' })}`;
}

export interface ShopTestApp extends TestApp {
  /** Shortcuts that arrange a shop through the HTTP API (products, carts, orders and their lifecycle). */
  readonly shop: Shop;
}

/**
 * The fixture for a test file (or a `describe`): registers the hooks that start the app on a fresh
 * database before its tests and close it after them, and answers a handle usable at once, where the
 * file declares its callers and helpers. Tokens work straight away; the app itself from the first hook or
 * test on.
 *
 *   const t = useTestApp({ STORE_CURRENCY: 'EUR' });
 *   const alice = t.token('alice');
 *   it('...', async () => { const { orderId } = await t.shop.order(alice); ... });
 */
export function useTestApp(env: Record<string, string> = {}): ShopTestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(env);
  });
  afterAll(() => started?.close());
  const current = (): TestApp => {
    if (!started) throw new Error('useTestApp: the app starts in beforeAll; use it inside hooks and tests');
    return started;
  };
  const handle: TestApp = {
    get app() {
      return current().app;
    },
    get databaseUrl() {
      return current().databaseUrl;
    },
    get document() {
      return current().document;
    },
    http: () => current().http(),
    token: testToken,
    close: () => current().close(),
  };
  return Object.assign(handle, { shop: shop(handle) });
}

type Client = ReturnType<typeof request>;
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * The client with one more assertion on every request it makes: the answer must be one the OpenAPI
 * document describes (status, body, headers). An undocumented answer fails the test that received it.
 */
export function documentedAnswers(client: Client, document: OpenApiDocument): Client {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string) => (value as (url: string) => request.Test).call(target, url).expect((res: Response) => assertDocumented(document, res));
    },
  });
}

function assertDocumented(document: OpenApiDocument, res: Response): void {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  if (req.path.startsWith('/docs')) return; // Swagger UI and the document itself
  const isJson = /\bjson\b/.test(String(res.headers['content-type'] ?? ''));
  const problems = validateResponse(document, req.method, req.path, res.status, res.headers, isJson ? res.body : res.text);
  if (problems.length > 0) throw new Error(`The answer does not match the OpenAPI document:\n- ${problems.join('\n- ')}`);
}
