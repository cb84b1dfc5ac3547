/* global fetch */
import path from 'node:path';
import { httpLoad } from '../lib/http-load.mjs';
import { fmt, repeatInterleaved } from '../lib/repeat.mjs';
import { startNodeServer } from '../lib/service-process.mjs';
import { median } from '../lib/stats.mjs';
import { reportFailures } from './add-item.mjs';
import { placeOrders } from './order-reads.mjs';

/** Seconds per measured run and per warm-up of each rung (a GET at 50 connections settles within a second). */
const LADDER_RUN_SEC = 5;
const LADDER_WARMUP_SEC = 2;

/** The rungs, bottom up (bench/baselines/ladder-server.mjs says what each adds); the full service is the top one. */
const RUNGS = [
  { step: 'fastify', label: 'bare Fastify + the read' },
  { step: 'auth', label: '+ token check (Authenticator, in a Fastify hook)' },
  { step: 'nest', label: 'NestJS: controller, AuthGuard, @CurrentCaller' },
  { step: 'validation', label: '+ validation pipe, UuidParamPipe, query DTO' },
  { step: 'guards', label: '+ BodilessRouteGuard, ReadModelGuard' },
  { step: 'interceptor', label: '(+ one pass-through global interceptor: the rxjs layer the service no longer has)' },
  { step: 'edge', label: '+ request edge: helmet, rate-limit hook, hygiene, request id, metrics hook' },
  { step: 'logging', label: '+ request logging (RequestLog hook, level warn)' },
];

/**
 * The request pipeline's ladder: the same GET /orders/:id (the service's own read of its order read
 * model, by the order's owner) through bare Fastify, then with each shared piece of the service's
 * pipeline added (the real classes from dist/), up to the full service, so the cost of each piece
 * stays visible. Each rung is a node process of its own on the service's database.
 */
export async function ladderScenario(ctx) {
  const { settings: s, app, progress, tokens } = ctx;
  // Nine targets: shorter runs than the other scenarios' keep the full bench within half an hour.
  const runSec = Math.min(s.runSec, LADDER_RUN_SEC);
  const warmupSec = Math.min(s.warmupSec, LADDER_WARMUP_SEC);
  const section = { id: 'ladder', title: `Request pipeline ladder: GET /orders/:id (${s.connections} connections)`, figures: [], ratios: [], notes: [] };
  let orders = await ownedOrders(app.pool, 1000);
  if (orders.length < 100) orders = (await placeOrders(ctx, app, 300)).map((o) => ({ id: o.id, customerId: o.customerId }));
  await ctx.settle();

  const servers = [];
  try {
    for (const rung of RUNGS) {
      const server = await startNodeServer({
        name: `ladder ${rung.step}`,
        script: path.join(ctx.root, 'bench/baselines/ladder-server.mjs'),
        cwd: ctx.root,
        env: { NODE_ENV: 'production', DATABASE_URL: app.databaseUrl, JWT_SECRET: ctx.secret, LADDER_STEP: rung.step },
        logFile: path.join(ctx.logDir, `ladder-${rung.step}.log`),
        readyPath: `/orders/${orders[0].id}`,
        isReady: (status) => status > 0 && status < 500,
      });
      servers.push({ ...rung, key: rung.step, baseUrl: server.baseUrl, servicePid: server.pid, server });
    }
    const targets = [...servers, { key: 'service', step: 'service', label: 'the full service', baseUrl: app.baseUrl, servicePid: app.service.pid }];
    for (const target of targets) {
      const probe = await fetch(`${target.baseUrl}/orders/${orders[0].id}`, { headers: { authorization: tokens(orders[0].customerId) } });
      if (probe.status !== 200) throw new Error(`ladder ${target.step}: GET /orders/:id answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
    }
    let n = 0;
    const next = () => {
      const order = orders[n++ % orders.length];
      return { method: 'GET', path: `/orders/${order.id}`, headers: { authorization: tokens(order.customerId) } };
    };
    const runs = await repeatInterleaved({
      runs: s.runs,
      title: 'ladder',
      progress,
      settle: ctx.settle,
      quietWaitSec: s.quietWaitSec,
      targets: targets.map((t) => ({
        key: t.key,
        label: t.step,
        servicePid: t.servicePid,
        describe: (r) => `${fmt(r.perSecond)} req/s, p50 ${fmt(r.latency.p50, 2)} ms, p99 ${fmt(r.latency.p99, 2)} ms`,
        run: async ({ warmup, beforeLoad }) => {
          await beforeLoad();
          return httpLoad({ baseUrl: t.baseUrl, connections: s.connections, durationSec: warmup ? warmupSec : runSec, next });
        },
      })),
    });
    for (const t of targets) {
      const r = runs[t.key];
      section.figures.push(
        { key: `${t.key}.rate`, label: `${t.label}: requests/s`, unit: 'req/s', values: r.map((x) => x.perSecond), better: 'higher', summary: true },
        { key: `${t.key}.p99`, label: `${t.label}: p99 latency`, unit: 'ms', values: r.map((x) => x.latency.p99), better: 'lower', digits: 2 },
        { key: `${t.key}.cpu`, label: `${t.label}: server CPU per request`, unit: 'ms', values: r.map((x) => (x.cpu.service / x.perSecond) * 1000), better: 'lower', digits: 3 },
      );
      if (t.key !== 'fastify') section.ratios.push({ label: `${t.label} / bare Fastify (req/s)`, figure: `${t.key}.rate`, baseline: 'fastify.rate' });
    }
    reportFailures(section, Object.fromEntries(targets.map((t) => [t.label, runs[t.key]])));
    section.notes.push(
      `Each rung: a ${fmt(warmupSec)} s warm-up, then ${fmt(s.runs)} measured runs of ${fmt(runSec)} s. Every rung answers the same requests: GET /orders/:id of ${fmt(orders.length)} placed orders, each by its owner with the owner's token, in rotation, through dist/'s OrderQueries.findOrder on the service's own database (20 pooled connections per rung). Rungs are cumulative except the interceptor rung, which is the guards rung plus one pass-through global interceptor; the edge rung builds on the guards rung. The rate limiter is configured as in the bench's service (RATE_LIMIT_PER_MINUTE=0).`,
      `"Server CPU per request" is the server process's CPU (cores) divided by its throughput: on a shared machine it moves less than req/s. Median server CPU of the bare Fastify rung: ${fmt(median(runs.fastify.map((x) => x.cpu.service)), 2)} cores; of the full service: ${fmt(median(runs.service.map((x) => x.cpu.service)), 2)} cores.`,
    );
  } finally {
    for (const s of servers) await s.server.stop();
  }
  return [section];
}

async function ownedOrders(pool, limit) {
  const { rows } = await pool.query(
    `SELECT stream_id AS id, data->>'customerId' AS customer_id FROM events WHERE type = 'OrderPlaced' ORDER BY global_position DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, customerId: r.customer_id }));
}
