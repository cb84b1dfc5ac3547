import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';

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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The service's one pino logger. Headers are never logged (Authorization and cookies are credentials);
 * `redact` covers credentials that other code might still log as fields.
 */
export function createRootLogger(options: { level: string }, destination?: DestinationStream): Logger {
  const settings = {
    level: options.level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'authorization', 'password', 'secret', 'token'],
      censor: REDACTED,
    },
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * One line per answered request, written when the answer has gone (Fastify's onResponse): its id (the
 * one answered as X-Request-Id, see request-id.ts), method, redacted URL, address, status and time.
 *
 * A Fastify hook, not pino-http's middleware: that one runs through @fastify/middie and binds the
 * request's logger with AsyncLocalStorage, and an AsyncLocalStorage in use turns on Node 20's promise
 * hooks for every promise in the process. Measured under the add-item load (`npm run bench --
 * --profile`): 1,624 commands/s with the middleware matching no route, 888 once it matched every route.
 * The price: a log line written inside a request does not carry the request's id by itself.
 */
export class RequestLog {
  private readonly secrets: readonly string[];

  constructor(
    private readonly logger: Logger,
    secrets: readonly string[],
  ) {
    this.secrets = secrets.filter((secret) => secret.length > 0).flatMap((secret) => [secret, encodeURIComponent(secret)]);
  }

  register(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      this.write(request, reply);
      done();
    });
  }

  private write(request: FastifyRequest, reply: FastifyReply): void {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const url = request.url;
    const queryAt = url.indexOf('?');
    if (QUIET_PATHS.has(queryAt < 0 ? url : url.slice(0, queryAt))) return;
    this.logger[level](
      {
        req: { id: request.id, method: request.method, url: redactUrl(url, this.secrets), remoteAddress: request.socket.remoteAddress },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  }
}
