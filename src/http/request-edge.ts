import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import type { AuthenticatedRequest } from './auth.js';
import { CallerRateLimit } from './rate-limit.js';
import { registerRequestHygiene } from './request-hygiene.js';

/** Request headers a browser client may send (CORS preflight). */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Min-Position', 'X-Request-Id'];
/** Response headers a browser client may read. */
const CORS_RESPONSE_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'X-Projection-Position',
  'Idempotent-Replayed',
];

/**
 * Fastify server options of the edge: which proxies to trust, and the contract's error for a URL
 * Fastify's router refuses (bad percent-encoding, such as an encoded lone surrogate). That answer is
 * given before any hook runs, so it carries nosniff itself, and no RateLimit-* headers.
 */
export function edgeServerOptions(config: AppConfig): Pick<FastifyServerOptions, 'frameworkErrors'> & { trustProxy: TrustProxy } {
  return {
    trustProxy: trustProxyOption(config),
    frameworkErrors: refuseBadUrl as FastifyServerOptions['frameworkErrors'],
  };
}

function refuseBadUrl(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(400)
    .header('X-Content-Type-Options', 'nosniff')
    .send({ statusCode: 400, code: 'VALIDATION_FAILED', message: `Bad URL: ${error.message}` });
}

type TrustProxy = boolean | string | ((address: string, hop: number) => boolean);

/**
 * Fastify's `trustProxy` from TRUST_PROXY: unset trusts no proxy (`request.ip` is the socket's address
 * and X-Forwarded-For is ignored); a number trusts that many hops; otherwise a comma list of
 * addresses/CIDRs, which Fastify hands to proxy-addr.
 */
function trustProxyOption(config: AppConfig): TrustProxy {
  const value = config.TRUST_PROXY?.trim();
  if (!value) return false;
  if (!/^\d+$/.test(value)) return value;
  // A hop count, as Fastify itself builds it for a number (Nest's adapter options type takes no number).
  const hops = Number(value);
  return (_address, hop) => hop < hops;
}

/**
 * Everything that happens to a request before Nest routes it: security headers, CORS, who is calling
 * and how often, and input hygiene. Registered before `app.init()`, so it covers every route.
 */
export async function registerRequestEdge(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const securityHeaders = helmetHeaders({
    // Helmet's defaults (nosniff among them) suit a JSON API. Its CSP stays on, minus
    // upgrade-insecure-requests, which would push Swagger UI's assets to https on a plain-http dev
    // server; Swagger UI (/docs) loads only same-origin scripts and inline styles, which it allows.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  const origins = config.CORS_ORIGINS?.split(',').map((origin) => origin.trim());
  if (origins?.length) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_RESPONSE_HEADERS,
      maxAge: 600,
    });
  }
  const fastify = app.getHttpAdapter().getInstance();
  const rateLimit = app.get(CallerRateLimit);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.headers(securityHeaders);
    // Any answer to a request with credentials may show one caller's data (carts, orders, the log):
    // no shared cache may keep it. Anonymous answers (the catalog) stay cacheable.
    if (request.headers.authorization !== undefined) void reply.header('Cache-Control', 'no-store');
    await rateLimit.onRequest(request as AuthenticatedRequest, reply);
  });
  registerRequestHygiene(app);
}

/**
 * The headers helmet sets, worked out once. They depend on nothing in the request (no CSP nonces), and
 * @fastify/helmet built helmet's whole middleware chain again for every request: 5% of the service's
 * CPU under the add-item load (`npm run bench -- --profile`).
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => void delete headers[name],
  };
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}
