/* global fetch */
import { JwtService } from '@nestjs/jwt';

/** The service runs with NODE_ENV=production, where GET /metrics needs this token (METRICS_TOKEN). */
export const BENCH_METRICS_TOKEN = 'eventshop-bench-metrics-token';

/** Bearer tokens as the service expects them: HS256, `sub`, `roles`, `exp` (see test/support/app.ts). */
export function tokenIssuer(secret) {
  const jwt = new JwtService({ secret });
  const cache = new Map();
  return (sub, roles = ['customer']) => {
    const key = `${sub}|${roles.join(',')}`;
    if (!cache.has(key)) cache.set(key, `Bearer ${jwt.sign({ sub, roles }, { algorithm: 'HS256', expiresIn: '6h' })}`);
    return cache.get(key);
  };
}

/** A JSON client for arranging data and probing routes (the load itself goes through autocannon). */
export function apiClient(baseUrl) {
  async function request(method, path, { auth, body, headers = {} } = {}) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(auth && { authorization: auth }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }
  /** Like request, but throws unless the status is `expected`. */
  async function expect(expected, method, path, options) {
    const res = await request(method, path, options);
    if (res.status !== expected) {
      throw new Error(`${method} ${path} answered ${res.status} (expected ${expected}): ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    return res.body;
  }
  return { baseUrl, request, expect };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapConcurrent(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Which routes the running service has, from its OpenAPI document: `has('get', '/orders/{id}')`. */
export async function availableRoutes(api) {
  const res = await api.request('GET', '/docs-json');
  const paths = res.status === 200 && res.body && typeof res.body === 'object' ? res.body.paths ?? {} : {};
  return {
    has: (method, path) => Boolean(paths[path]?.[method.toLowerCase()]),
    list: () => Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
  };
}
