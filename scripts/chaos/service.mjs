/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long one start may take before the run gives up on it (an embedded first start runs initdb). */
const START_DEADLINE_MS = 90_000;
/** How long a graceful stop (SIGTERM) may take: the service's own drain deadline is 15 s. */
const STOP_DEADLINE_MS = 25_000;

/**
 * The service as a user runs it (`node dist/main.js`), started again and again on one port and one
 * database: ready once `GET /health` answers 200, killed with SIGKILL, or stopped with SIGTERM.
 * Every start's output goes to `logFile`; a start that fails quotes its own output in the error.
 */
export function serviceProcess({ root, cwd, env, port, logFile }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const baseUrl = `http://127.0.0.1:${port}`;
  let child;
  let exit;
  let starts = 0;

  async function start() {
    starts++;
    const began = performance.now();
    let output = '';
    log.write(`\n----- start #${starts} -----\n`);
    child = spawn(process.execPath, [path.join(root, 'dist/main.js')], {
      cwd,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        log.write(chunk);
      });
    }
    let exited;
    const current = child;
    exit = new Promise((resolve) => current.once('exit', (code, signal) => resolve((exited = { code, signal }))));
    const deadline = began + START_DEADLINE_MS;
    for (;;) {
      if (exited) throw new Error(`start #${starts} failed: the service exited (${describe(exited)}). Its output:\n${lastLines(output)}`);
      if ((await healthStatus()) === 200) return performance.now() - began;
      if (performance.now() > deadline) {
        current.kill('SIGKILL');
        await exit;
        throw new Error(`start #${starts} failed: /health did not answer 200 within ${START_DEADLINE_MS / 1000} s. Its output:\n${lastLines(output)}`);
      }
      await sleep(50);
    }
  }

  async function healthStatus() {
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return undefined;
    }
  }

  /** kill -9: no drain, no shutdown hook; whatever it started (an embedded PostgreSQL) is orphaned. */
  async function kill() {
    child.kill('SIGKILL');
    await exit;
  }

  /** SIGTERM, as an operator stops it; SIGKILL if it has not exited by the deadline. */
  async function stop() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    const began = performance.now();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    const result = await exit;
    clearTimeout(timer);
    return { ...result, ms: performance.now() - began };
  }

  return { baseUrl, start, kill, stop, close: () => new Promise((resolve) => log.end(resolve)) };
}

/**
 * Stops the embedded PostgreSQL left running in `dataDir` (by a killed service), found through its
 * postmaster.pid: SIGINT is PostgreSQL's fast shutdown. Returns whether one was running.
 */
export async function stopOrphanedPostgres(dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 20_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
  return true;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function describe({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function lastLines(text, lines = 40) {
  const trimmed = text.trim();
  return trimmed ? trimmed.split('\n').slice(-lines).join('\n') : '(no output)';
}
