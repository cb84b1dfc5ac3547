import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';

/** Query parameters whose values never reach a log, whatever the route. */
const SENSITIVE_PARAM = /token|ticket|secret|password|passw|pwd|api[-_]?key|auth|jwt|session|signature|sig$|credential|code$/i;
/** A JWT anywhere in a URL (path or query), e.g. a token pasted where an id belongs. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const REDACTED = '[redacted]';

/** Routes polled by probes and scrapers: not worth a log line per call. */
const QUIET_PATHS = new Set(['/health', '/health/ready', '/health/live', '/metrics']);

/**
 * The URL as logged: values of sensitive query parameters, JWT-shaped text and the service's own
 * secrets (given) are replaced, so that no URL shape puts a credential into the log.
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  const hide = (text: string) => secrets.reduce((t, secret) => t.split(secret).join(REDACTED), text.replace(JWT_LIKE, REDACTED));
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return hide(url);
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      if (equals < 0) return hide(pair);
      return `${hide(name)}=${SENSITIVE_PARAM.test(safeDecode(name)) ? REDACTED : hide(pair.slice(equals + 1))}`;
    })
    .join('&');
  return `${hide(url.slice(0, queryAt))}?${query}`;
}

function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * pino-http's settings: each request logs its id (Fastify's, see request-id.ts), method, redacted URL
 * and address. Headers are not logged at all (Authorization and cookies are credentials); `redact`
 * covers credentials that other code might still log as fields.
 */
export function requestLogging(
  options: { level: string; secrets: readonly string[] },
  destination?: DestinationStream,
): Options | [Options, DestinationStream] {
  const secrets = options.secrets.filter((secret) => secret.length > 0).flatMap((secret) => [secret, encodeURIComponent(secret)]);
  const settings: Options = {
    level: options.level,
    // Fastify has set the id (middie copies it onto the raw request); pino-http would otherwise make its own.
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
    // middie has cut the matched path off `url` by now: `originalUrl` is the request's.
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req as IncomingMessage & { originalUrl?: string })) },
    serializers: {
      // pino-http hands these its standard serialisation of the request: the URL still has its query.
      req: (req: { id?: string; method?: string; url?: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url ?? '', secrets),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'authorization', 'password', 'secret', 'token'],
      censor: REDACTED,
    },
  };
  return destination ? [settings, destination] : settings;
}
