import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { addressLiteral, checkedLookup, isPublicAddress } from './webhook-address.js';

/** Bytes of a receiver's answer we read at most; the rest is cut off (we only need its status). */
export const RESPONSE_LIMIT_BYTES = 4 * 1024;
/** Characters of a failing answer's body kept as its error in the delivery log. */
const ERROR_TEXT_LIMIT = 200;

export interface SendOptions {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
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
 * redirects (a 3xx is a failure like any other non-2xx); a fresh connection per attempt (no agent) so
 * that each one resolves and checks its address anew. Never throws.
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
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...result, durationMs: elapsed() });
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: checkedLookup(options.allowPrivate),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'eventshop-webhooks' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let received = 0;
        const answered = () => {
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_TEXT_LIMIT);
          finish({ ok, responseStatus: status, ...(ok ? {} : { error: text ? `HTTP ${status}: ${text}` : `HTTP ${status}` }) });
        };
        response.on('data', (chunk: Buffer) => {
          if (received < RESPONSE_LIMIT_BYTES) chunks.push(chunk.subarray(0, RESPONSE_LIMIT_BYTES - received));
          received += chunk.length;
          if (received >= RESPONSE_LIMIT_BYTES) answered();
        });
        response.on('end', answered);
        response.on('error', answered);
      },
    );
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${options.timeoutMs} ms` }), options.timeoutMs);
    request.on('error', (error) => finish({ ok: false, error: error.message || String(error) }));
    request.end(body);
  });
}
