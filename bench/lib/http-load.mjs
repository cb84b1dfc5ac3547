import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
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

/**
 * Open-loop load: `rate` requests per second, each sent at its own scheduled time (start + i / rate)
 * whatever the previous answers are doing, for `durationSec`. Latency is measured from the scheduled
 * time, not from when the request left: a stalled server, or a request waiting for a free connection or
 * for the generator's own event loop, is charged to the latency (no coordinated omission).
 *
 * Not autocannon's `overallRate`: that gives each connection a quota per second, which it spends
 * back-to-back in a closed loop as soon as the second starts, then idles until the next one. The load
 * is a burst per second, not a rate, and each latency is timed from when its connection got free.
 *
 * Requests go out over a keep-alive agent of up to `maxSockets` connections (opened before the clock
 * starts). The peak number in flight is reported: if it reached `maxSockets`, requests queued in the
 * agent, which the latency (from the schedule) still counts.
 */
export async function openLoopLoad({ baseUrl, rate, durationSec, next, maxSockets = 100, onTick }) {
  const { hostname, port } = new URL(baseUrl);
  if (hostname !== '127.0.0.1') throw new Error(`load targets 127.0.0.1 only, not ${baseUrl}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const send = (request, onDone) => {
    const req = http.request({ agent, host: hostname, port, method: request.method ?? 'GET', path: request.path, headers: request.headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => onDone(res.statusCode, chunks));
    });
    req.on('error', (error) => onDone(0, [Buffer.from(String(error))]));
    req.end(request.body === undefined ? undefined : JSON.stringify(request.body));
  };
  // Open the connections before the clock starts (the first requests would otherwise pay for connecting).
  const warm = Math.min(maxSockets, Math.max(1, Math.ceil(rate / 20)));
  await Promise.all(Array.from({ length: warm }, () => new Promise((resolve) => send(next(), resolve))));

  const latencies = [];
  const sendLags = [];
  const statuses = {};
  const failures = [];
  const total = Math.round(rate * durationSec);
  const intervalMs = 1000 / rate;
  let sent = 0;
  let done = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let lastDoneAt = 0;
  let seconds = 0;
  const ticker = onTick ? setInterval(() => onTick(++seconds), 1000) : undefined;
  const start = performance.now();
  let timedOut = 0;
  await new Promise((resolve) => {
    // An overloaded server must not hold the bench forever: what is still unanswered 30 s after the last
    // scheduled send counts as answered then (a latency that is a lower bound), and as a timeout.
    const giveUp = setTimeout(() => {
      timedOut = total - done;
      if (failures.length < 5) failures.push(`${timedOut} requests unanswered 30 s after the last was sent`);
      const now = performance.now();
      for (let i = total - timedOut; i < total; i++) latencies.push(now - (start + i * intervalMs));
      resolve();
    }, durationSec * 1000 + 30_000);
    const fire = (scheduled) => {
      sendLags.push(performance.now() - scheduled);
      inFlight++;
      if (inFlight > peakInFlight) peakInFlight = inFlight;
      send(next(), (status, chunks) => {
        // After giving up, destroying the agent fails what was still in flight: already counted as timeouts.
        if (timedOut > 0) return;
        lastDoneAt = performance.now();
        inFlight--;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 200 && status < 300) latencies.push(lastDoneAt - scheduled);
        else if (failures.length < 5) failures.push(`${status} ${Buffer.concat(chunks).toString().slice(0, 300)}`);
        if (++done === total) {
          clearTimeout(giveUp);
          resolve();
        }
      });
    };
    const pump = () => {
      const now = performance.now();
      // Every request whose time has come (several, when the timer fired late), each with its own time.
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) fire(start + sent++ * intervalMs);
      if (sent < total) setTimeout(pump, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    pump();
  });
  if (ticker) clearInterval(ticker);
  agent.destroy();
  const ok = latencies.length - timedOut;
  const elapsedSec = (lastDoneAt - start) / 1000;
  const lags = percentiles(sendLags, [50, 99]);
  return {
    ok,
    non2xx: done - ok - (statuses[0] ?? 0),
    // Connection errors and requests unanswered 30 s after the run (reported as failures).
    errors: (statuses[0] ?? 0) + timedOut,
    timeouts: timedOut,
    statuses,
    failures,
    durationSec: elapsedSec,
    /** What the server sustained: answers per second from the first scheduled request to the last answer. */
    perSecond: ok / elapsedSec,
    targetRate: rate,
    peakInFlight,
    maxSockets,
    /** How late the generator sent its requests (its own event loop): already part of every latency. */
    sendLag: { p50: lags.p50, p99: lags.p99 },
    latency: { ...percentiles(latencies, [50, 90, 99]), max: latencies.reduce((a, b) => (b > a ? b : a), -Infinity) },
  };
}
