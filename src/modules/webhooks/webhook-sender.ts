import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { addressLiteral, checkedLookup, isPublicAddress } from './webhook-address.js';

/** Bytes of a receiver's answer we read at most; the rest is cut off (we only need its status). */
export const RESPONSE_LIMIT_BYTES = 4 * 1024;
/** Characters of a failing answer's body kept as its error in the delivery log. */
const ERROR_TEXT_LIMIT = 200;

/** How long an endpoint's idle connection is kept for its next delivery: below common servers' keep-alive timeouts (Node's is 5 s). */
const IDLE_CONNECTION_MS = 4_000;

/**
 * One endpoint's kept-alive connection (one per scheme): its deliveries go out one at a time, in order,
 * so one socket serves them all instead of a connection opened and closed per delivery. Under the
 * add-item load with 10 endpoints a fresh connection per delivery left ~57,000 sockets in TIME_WAIT; on
 * an idle loopback a delivery takes 66 µs on a kept connection against 156 µs on a fresh one.
 *
 * The address check still holds: a connection is only ever opened through checkedLookup, so a kept one
 * is to an address that was checked when it was opened; a name that resolves elsewhere later is resolved
 * and checked again when a new connection is opened. Destroy it when the endpoint's deliverer stops.
 */
export class EndpointConnections {
  readonly http: http.Agent;
  readonly https: https.Agent;

  /** `idleMs`: how long an idle connection is kept (the socket timeout of an idle one; an answer may take longer). */
  constructor(idleMs = IDLE_CONNECTION_MS) {
    this.http = new http.Agent({ keepAlive: true, maxSockets: 1, timeout: idleMs });
    this.https = new https.Agent({ keepAlive: true, maxSockets: 1, timeout: idleMs });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface SendOptions {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  /** The endpoint's kept-alive connections; without them, a fresh connection for this attempt alone. */
  readonly connections?: EndpointConnections;
}

export interface SendResult {
  readonly ok: boolean;
  /** The receiver's status, when it answered. */
  readonly responseStatus?: number;
  readonly error?: string;
  readonly durationMs: number;
}

/**
 * One delivery attempt: a POST of `body`, success on any 2xx answered within the timeout (connection,
 * headers and the answer's first RESPONSE_LIMIT_BYTES all count). Node's http client follows no
 * redirects (a 3xx is a failure like any other non-2xx). A connection is opened through checkedLookup,
 * which resolves the host and checks the address connected to; it is kept for the next attempt only when
 * the answer was read to its end. Never throws.
 */
export function sendWebhook(target: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, error: 'invalid url', durationMs: 0 });
  }
  const literal = addressLiteral(url);
  if (literal && !options.allowPrivate && !isPublicAddress(literal)) {
    return Promise.resolve({ ok: false, error: 'url is on a loopback, link-local or private address', durationMs: 0 });
  }
  const secure = url.protocol === 'https:';
  const agent = options.connections ? (secure ? options.connections.https : options.connections.http) : false;
  const requestOptions: http.RequestOptions = {
    method: 'POST',
    agent,
    lookup: checkedLookup(options.allowPrivate),
    headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'eventshop-webhooks' },
  };
  return new Promise((resolve) => {
    let done = false;
    let request: http.ClientRequest;
    const finish = (result: Omit<SendResult, 'durationMs'>, keepConnection = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // An answer read to its end leaves its connection to the agent for the next delivery; any other
      // (cut off, timed out, failed) takes its connection down with it.
      if (!keepConnection) request.destroy();
      resolve({ ...result, durationMs: elapsed() });
    };
    const attempt = (retryIfStale: boolean) => {
      let answering = false;
      request = (secure ? https : http).request(url, requestOptions, (response) => {
        answering = true;
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let received = 0;
        const answered = (complete: boolean) => {
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_TEXT_LIMIT);
          finish({ ok, responseStatus: status, ...(ok ? {} : { error: text ? `HTTP ${status}: ${text}` : `HTTP ${status}` }) }, complete);
        };
        response.on('data', (chunk: Buffer) => {
          if (received < RESPONSE_LIMIT_BYTES) chunks.push(chunk.subarray(0, RESPONSE_LIMIT_BYTES - received));
          received += chunk.length;
          if (received >= RESPONSE_LIMIT_BYTES) answered(false);
        });
        response.on('end', () => answered(true));
        response.on('error', () => answered(false));
      });
      request.on('error', (error) => {
        // A kept connection the receiver closed just as we sent on it (the race every keep-alive client
        // has): try once more, on a fresh connection, rather than count a failed attempt and back off.
        // Had the receiver got the first one after all, delivery is at least once: it may see an event twice.
        if (retryIfStale && request.reusedSocket && !answering && !done) return attempt(false);
        finish({ ok: false, error: error.message || String(error) });
      });
      request.end(body);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${options.timeoutMs} ms` }), options.timeoutMs);
    attempt(true);
  });
}
