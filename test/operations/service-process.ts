import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { JwtService } from '@nestjs/jwt';
import { freePort } from '../support/free-port.js';

export { freePort };

/** The project folder: where `npm start` and the other README commands are run. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JWT_SECRET = 'operations-test-secret-long-enough';

/** Builds dist/ if the sources changed, as `npm start` does (the build lock keeps parallel files apart). */
export function ensureBuilt(): void {
  const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
}


/** A fresh folder others may enter (so as root the data stays there and the test can look at it). */
export function tempFolder(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Settings for a service of its own: its data folder, free ports, no rate limit. */
export async function serviceEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(await freePort()),
    JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  };
}

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `command` in the project folder with `env` on top of ours; output kept for the assertions. */
export function launch(command: string, args: string[], env: Record<string, string>): RunningProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(command, args, { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs a command to its end. */
export async function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 120_000) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(command, args, { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': a process that fails fast can exit before its last stderr chunk has been read.
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Waits for `/health` to answer 200, failing early if the service exits first. */
export async function waitHealthy(service: RunningProcess, port: string): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  await waitUntil('a healthy service', async () => {
    if (exited) throw new Error(`the service exited:\n${service.output()}`);
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    return res?.status === 200 ? true : undefined;
  });
}

export function adminToken(): string {
  return `Bearer ${new JwtService({ secret: JWT_SECRET }).sign({ sub: 'admin-ops', roles: ['admin'] }, { algorithm: 'HS256', expiresIn: '1h' })}`;
}

/** The pid in a data folder's `postmaster.pid`, if a server holds it. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'), 10);
  } catch {
    return undefined;
  }
}

export function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) counts as gone.
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Whatever a test left running (it failed midway): services killed, PostgreSQL servers shut down fast. */
export function stopLeftovers(services: Iterable<number>, postmasters: Iterable<number>): void {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  for (const pid of services) signal(pid, 'SIGKILL');
  for (const pid of postmasters) signal(pid, 'SIGINT');
}
