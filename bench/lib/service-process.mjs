/* global fetch */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup.mjs';
import { freePort } from './ports.mjs';

/**
 * A Node HTTP server run as a child process (the eventshop service, or the CRUD baseline): started with
 * its own environment, ready once `readyPath` answers as `isReady` wants (200 by default), stopped with SIGTERM (SIGKILL after 20 s).
 * Its output goes to `logFile`; the last lines are quoted if it fails to start.
 */
export async function startNodeServer({ name, script, cwd, env, nodeArgs = [], logFile, readyPath = '/health', isReady = (status) => status === 200, timeoutMs = 120_000 }) {
  const port = await freePort();
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  const unregister = onCleanup(`stop ${name}`, () => stop());

  async function stop() {
    unregister();
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(killer);
    }
    log.end();
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}):\n${tail(logFile)}`);
    try {
      const res = await fetch(`${baseUrl}${readyPath}`);
      await res.arrayBuffer();
      if (isReady(res.status)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return { name, pid: child.pid, port, baseUrl, stop, exit, get exited() { return exited; } };
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** Samples a process's resident set size from /proc every `intervalMs`; `stop()` returns the figures in MB (10^6 bytes). */
export function sampleMemory(pid, intervalMs = 100) {
  let peakRss = 0;
  const samples = [];
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = (Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024) / 1e6;
      samples.push(rss);
      peakRss = Math.max(peakRss, rss);
      return (Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024) / 1e6;
    } catch {
      return 0;
    }
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const highWaterMark = read();
      return { peakRssMB: peakRss, highWaterMarkMB: highWaterMark, samples: samples.length };
    },
  };
}
