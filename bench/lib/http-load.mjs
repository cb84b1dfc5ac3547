import autocannon from 'autocannon';
import { percentiles } from './stats.mjs';

/**
 * One autocannon run against 127.0.0.1. `next()` returns each request ({method, path, headers, body}),
 * so every request can name its own cart, order or query. Latencies are kept exactly (autocannon's
 * own histogram rounds to whole milliseconds) for successful answers only; other statuses are counted
 * and a few of their bodies kept, to show in RESULTS.md what went wrong.
 */
export async function httpLoad({ baseUrl, connections, durationSec, next, onTick }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`load targets 127.0.0.1 only, not ${baseUrl}`);
  const latencies = [];
  const statuses = {};
  const failures = [];
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: durationSec,
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => Object.assign(request, next()),
        onResponse: (status, body) => {
          if ((status < 200 || status >= 300) && failures.length < 5) failures.push(`${status} ${String(body).slice(0, 300)}`);
        },
      },
    ],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  let seconds = 0;
  if (onTick) instance.on('tick', () => onTick(++seconds));
  const result = await instance;
  const ok = latencies.length;
  return {
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    failures,
    durationSec: result.duration,
    perSecond: ok / result.duration,
    // Not Math.max(...latencies): a fast target answers hundreds of thousands of requests a run, too many arguments.
    latency: { ...percentiles(latencies, [50, 90, 99]), max: latencies.reduce((a, b) => (b > a ? b : a), -Infinity) },
  };
}
