import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartupError } from './startup-error.js';

/**
 * The pid of the process that started the PostgreSQL running in a data folder, written beside its
 * `postmaster.pid`. The server is our child; if its parent is no longer that process, whoever started
 * it died without stopping it (kill -9, the OOM killer) and the server is an orphan.
 */
const OWNER_FILE = 'eventshop-owner.pid';

export function recordOwner(dataDir: string): void {
  writeFileSync(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

export function forgetOwner(dataDir: string): void {
  rmSync(path.join(dataDir, OWNER_FILE), { force: true });
}

/**
 * Makes sure no PostgreSQL runs in `dataDir` before we start one there: a server left behind by a
 * crashed start is stopped cleanly (a fast shutdown: committed data is kept), one still in use by a
 * live process is a start-up error. PostgreSQL itself refuses a second server on one folder, but
 * would only say "lock file already exists".
 */
export async function stopLeftoverServer(dataDir: string, log: (message: string) => void): Promise<void> {
  const pid = readNumber(path.join(dataDir, 'postmaster.pid'));
  if (pid === undefined || !isAlive(pid)) return;
  if (!runsIn(pid, dataDir)) {
    // The lock names a pid since reused by an unrelated process (after a reboot): the lock is stale.
    rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  const owner = readNumber(path.join(dataDir, OWNER_FILE));
  const parent = parentPid(pid);
  const inUse = owner !== undefined ? parent === owner : parent !== undefined && parent !== 1;
  if (inUse) {
    throw new StartupError(
      `the data folder ${dataDir} is in use by the PostgreSQL of another running process (pid ${parent}): stop that process first, or set EMBEDDED_PG_DIR (and EMBEDDED_PG_PORT) to run a second one.`,
    );
  }
  log(`stopping the embedded PostgreSQL (pid ${pid}) left running in ${dataDir} by a process that ended without stopping it`);
  // What `pg_ctl stop -m fast` does: SIGINT, then wait for the server to remove its lock file.
  if (await signalAndWait(pid, 'SIGINT', dataDir, 60_000)) return;
  if (await signalAndWait(pid, 'SIGQUIT', dataDir, 10_000)) return;
  throw new StartupError(
    `the PostgreSQL (pid ${pid}) left running in ${dataDir} does not stop: stop it (kill ${pid}) and start again.`,
  );
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, dataDir: string, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw new StartupError(
      `the PostgreSQL (pid ${pid}) left running in ${dataDir} belongs to another user and cannot be stopped by this one: stop it as that user, or set EMBEDDED_PG_DIR to another folder.`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (readNumber(path.join(dataDir, 'postmaster.pid')) === undefined || !isAlive(pid)) return true;
    await sleep(50);
  }
  return false;
}

function readNumber(file: string): number | undefined {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (an orphan that exited may wait for a parent that does not reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

/** Whether `pid` is a PostgreSQL serving `dataDir` (we start it with `-D <dataDir>`). Unknown without /proc: yes. */
function runsIn(pid: number, dataDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    return true;
  }
}

function parentPid(pid: number): number | undefined {
  return procStat(pid)?.ppid;
}

function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state ?? '', ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}
